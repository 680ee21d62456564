"""counters.py NAME N: adds 1 to counter 0 and 5 to the last counter N times each, through a handle of its own, then
prints "slot S sum X last Y cells C": its slot, counter 0's sum, the last counter's sum, the number of cells."""
import sys

import mapsync

with mapsync.open(sys.argv[1]) as c:
    for _ in range(int(sys.argv[2])):
        c.increment(0)
        c.add(c.count - 1, 5)
    print("slot %d sum %d last %d cells %d" % (c.slot, c.sum(0), c[c.count - 1], len(c.cells(0))))
