"""hold_lock.py NAME INDEX: takes the lock of entry INDEX, says "locked", and holds it until it is killed."""
import sys
import threading

import mapsync

m = mapsync.open(sys.argv[1])
m.lock(int(sys.argv[2])).__enter__()
print("locked", flush=True)
threading.Event().wait()
