"""write_records.py NAME COUNT: writes ledger accounts 0..COUNT-1: id i, balance 100*i - 7, check ~balance,
owner "py" + i."""
import sys

import mapsync

with mapsync.open(sys.argv[1]) as m:
    for i in range(int(sys.argv[2])):
        balance = 100 * i - 7
        m[i] = {"id": i, "balance": balance, "check": ~balance, "owner": "py%d" % i}
    print("wrote %s" % sys.argv[2])
