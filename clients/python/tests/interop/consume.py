"""consume.py NAME COUNT: says "consuming", takes COUNT jobs, and checks that each source's seqs come 0, 1, 2...
Prints the records, the order violations and the count per source."""
import sys

import mapsync

name, count = sys.argv[1], int(sys.argv[2])
expected, violations = {}, 0
with mapsync.open(name) as q:
    q.poll()  # become the consumer before saying so
    print("consuming", flush=True)
    taken = 0
    while taken < count:
        job = q.take(timeout=60)
        taken += 1
        if job["seq"] != expected.get(job["source"], 0):
            violations += 1
        expected[job["source"]] = job["seq"] + 1
counts = ",".join("%d:%d" % (s, expected[s]) for s in sorted(expected))
print("records=%d violations=%d counts=%s" % (taken, violations, counts))
