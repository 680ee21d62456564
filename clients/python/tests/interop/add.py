"""add.py NAME INDEX N READY GO: adds 1 to value READY, waits for value GO to be set, then adds 1 to value INDEX
N times, atomically."""
import sys

import mapsync

name, index, n, ready, go = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
with mapsync.open(name) as m, m.watch(timeout=None) as changes:
    m.add(ready, 1)
    while m[go] == 0:  # woken by the change of GO (or any other)
        changes.poll(1.0)
    for _ in range(n):
        m.add(index, 1)
print("added %d" % n)
