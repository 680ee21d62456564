"""barrier.py NAME ROUNDS: awaits the barrier ROUNDS times; prints the generations it tripped in."""
import sys

import mapsync

with mapsync.open(sys.argv[1]) as b:
    generations = [b.await_(timeout=60) for _ in range(int(sys.argv[2]))]
print("generations=%s" % ",".join(map(str, generations)))
