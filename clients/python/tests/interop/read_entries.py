"""read_entries.py NAME INDEX...: reads each entry; prints "[i] VALUE", or "[i] ERROR: message" for the exception
the read raised (TornEntry for an entry a dead writer left half-written)."""
import sys

import mapsync

with mapsync.open(sys.argv[1], read_only=True) as m:
    for i in map(int, sys.argv[2:]):
        try:
            print("[%d] %s" % (i, m[i]))
        except mapsync.MapSyncError as e:
            print("[%d] %s: %s" % (i, type(e).__name__, e))
