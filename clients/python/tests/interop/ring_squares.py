"""ring_squares.py NAME SOURCE N: puts N raw records into a ring, two little-endian i64 words w, w * w with
w = SOURCE * 1000000 + seq (seq 0, 1, ...), as the user ring drain program checks them, waiting for room as long as
it takes; prints "produced=N"."""
import struct
import sys

import mapsync

name, source, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with mapsync.open(name) as ring:
    for seq in range(n):
        w = source * 1000000 + seq
        ring.put(struct.pack("<qq", w, w * w), timeout=60)
print("produced=%d" % n)
