"""counters_made.py NAME: creates a counter map of 3 counters, adds 7 to counter 2, and prints
"made SharedCounters count 3 slot S"; then, read-only, what adding and an index out of range raise, and the sums."""
import sys

import mapsync

with mapsync.create_counters(sys.argv[1], 3) as c:
    c.add(2, 7)
    print("made %s count %d slot %d" % (type(c).__name__, c.count, c.slot))
with mapsync.open(sys.argv[1], read_only=True) as r:
    for attempt in (lambda: r.add(0, 1), lambda: r.sum(3)):
        try:
            attempt()
        except mapsync.MapSyncError as e:
            print("%s: %s" % (type(e).__name__, e))
    print("sums %s" % r.sums())
