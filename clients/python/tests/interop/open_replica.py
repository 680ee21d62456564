"""open_replica.py NAME INDEX: what a Python program gets from a read replica: prints "rw: " and the exception a
read-write open raised (its class, whether it is a MapAccessDenied, and its message), then "ro: " and entry INDEX
read through a read-only open."""
import sys

import mapsync

try:
    mapsync.open(sys.argv[1]).close()
    print("rw: opened")
except mapsync.MapSyncError as e:
    print("rw: %s (MapAccessDenied: %s) %s" % (type(e).__name__, isinstance(e, mapsync.MapAccessDenied), e))
with mapsync.open(sys.argv[1], read_only=True) as m:
    print("ro: %s" % m[int(sys.argv[2])])
