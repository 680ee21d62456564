"""hash_ops.py NAME write|read: ``write`` puts keys k0..k99 ({a: i, b: -i}), removes the odd ones, replaces k0 with
{a: 1000, b: 1}; ``read`` prints what the map holds, one "key a b" line per key in key order, then checks get,
membership and remove of what Java wrote."""
import sys

import mapsync

name, mode = sys.argv[1], sys.argv[2]
with mapsync.open(name) as h:
    if mode == "write":
        for i in range(100):
            h["k%d" % i] = {"a": i, "b": -i}
        for i in range(1, 100, 2):
            del h["k%d" % i]
        h["k0"] = {"a": 1000, "b": 1}
        print("size=%d" % len(h))
    else:
        for key, value in sorted(h.items()):
            print("%s %d %d" % (key, value["a"], value["b"]))
        print("j1 in=%s j2=%s" % ("j1" in h, h.get("j2")))
        del h["j1"]
        print("removed j1, size=%d" % len(h))
