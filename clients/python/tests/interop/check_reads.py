"""check_reads.py NAME ENTRIES READS: reads ledger accounts round-robin READS times while others write them; a record
whose check is not ~balance was read half-written. Prints reads, torn and how many reads saw a new value."""
import sys

import mapsync

name, entries, reads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
torn = changes = 0
last = [None] * entries
with mapsync.open(name, read_only=True) as m:
    for n in range(reads):
        i = n % entries
        a = m[i]
        if a["check"] != ~a["balance"] or a["id"] != i:
            torn += 1
        if last[i] is not None and a["balance"] != last[i]:
            changes += 1
        last[i] = a["balance"]
print("reads=%d torn=%d changes=%d" % (reads, torn, changes))
