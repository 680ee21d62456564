"""produce.py NAME SOURCE N: puts N jobs {source, seq 0..N-1} into a queue, waiting for room as long as it takes."""
import sys

import mapsync

name, source, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with mapsync.open(name) as q:
    for seq in range(n):
        q.put({"source": source, "seq": seq}, timeout=60)
print("produced=%d" % n)
