"""hash_add.py NAME FIELD DELTA ROUNDS KEY...: adds DELTA to integer field FIELD of every KEY, ROUNDS times over
(absent keys are inserted as zeros but that field); prints "added N", the adds made."""
import sys

import mapsync

name, field, delta, rounds, keys = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5:]
with mapsync.open(name) as h:
    for _ in range(rounds):
        for key in keys:
            h.add(key, delta, field=field)
print("added %d" % (rounds * len(keys)))
