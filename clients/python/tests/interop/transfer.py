"""transfer.py NAME FROM TO N: N transfers of 1 between two ledger accounts, both locked together (ascending, as
Java's lockAll), each record checked whole when read. Prints the count and the records read torn."""
import sys

import mapsync

name, a, b, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torn = 0
with mapsync.open(name) as m:
    for _ in range(n):
        with m.lock_all(a, b, timeout=30):
            x, y = m[a], m[b]
            torn += (x["check"] != ~x["balance"]) + (y["check"] != ~y["balance"])
            x["balance"] -= 1
            y["balance"] += 1
            x["check"], y["check"] = ~x["balance"], ~y["balance"]
            m[a], m[b] = x, y
print("transferred %d from %d to %d torn=%d" % (n, a, b, torn))
