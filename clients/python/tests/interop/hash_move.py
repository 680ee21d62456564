"""hash_move.py NAME ROUNDS: ROUNDS times, under lock_all of keys "a" and "b", moves the record from whichever of
the two holds it to the other, adding 1 to its field b; prints "moved N"."""
import sys

import mapsync

name, rounds = sys.argv[1], int(sys.argv[2])
with mapsync.open(name) as h:
    for _ in range(rounds):
        with h.lock_all("a", "b"):
            src, dst = ("a", "b") if "a" in h else ("b", "a")
            record = h.pop(src)
            record["b"] += 1
            h[dst] = record
    print("moved %d" % rounds)
