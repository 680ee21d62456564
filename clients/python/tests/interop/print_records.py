"""print_records.py NAME INDEX...: the records at INDEX..., one JSON line each (fields in schema order)."""
import json
import sys

import mapsync

with mapsync.open(sys.argv[1], read_only=True) as m:
    for i in sys.argv[2:]:
        print(json.dumps(m[int(i)]))
