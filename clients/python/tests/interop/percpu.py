"""percpu.py NAME OP ...: a per-CPU kernel map (an array, or a hash map of integer keys) through the Python client,
values printed field by field ("name=value ..."; a value of one type as the number), as core's percpu_tool prints them.

  get I|KEY        "cpuC VALUE" per possible CPU from get_per_cpu, then "sum VALUE" (its sum), then "get VALUE" (m[i]);
                   "KEY absent" for a hash map's absent key
  set I|KEY V...   writes the value of fields V... (in schema order) as every CPU's; prints "set"
  list             (hash maps) "KEY VALUE" per key (the sums), then "KEY cpuC VALUE" per key and CPU, sorted
  remove KEY       prints "removed"
  add I|KEY D [F]  the add (to field F) per-CPU maps refuse: prints the exception's class and message
"""
import sys

import mapsync


def text(value):
    if isinstance(value, dict):
        return " ".join("%s=%s" % (k, v) for k, v in value.items())
    return str(value)


name, op = sys.argv[1], sys.argv[2]
with mapsync.open(name) as m:
    at = int(sys.argv[3]) if len(sys.argv) > 3 else None
    if op == "get":
        each = m.get_per_cpu(at)
        if each is None:
            print("%d absent" % at)
            sys.exit(0)
        for cpu, value in enumerate(each):
            print("cpu%d %s" % (cpu, text(value)))
        print("sum %s" % text(each.sum))
        print("get %s" % text(m[at]))
    elif op == "set":
        args = sys.argv[4:]
        template = m.schema.decode(bytes(m.schema.size))  # the field names, in schema order
        if isinstance(template, dict):
            m[at] = {k: int(a) if a.lstrip("-").isdigit() else a for k, a in zip(template, args)}
        else:
            m[at] = int(args[0])
        print("set")
    elif op == "list":
        for key, value in sorted(m.items()):
            print("%d %s" % (key, text(value)))
        for key, each in sorted(m.items_per_cpu()):
            for cpu, value in enumerate(each):
                print("%d cpu%d %s" % (key, cpu, text(value)))
    elif op == "remove":
        del m[at]
        print("removed")
    elif op == "add":
        try:
            m.add(at, int(sys.argv[4]), field=sys.argv[5] if len(sys.argv) > 5 else None)
            print("added")
        except mapsync.MapSyncError as e:
            print("%s: %s" % (type(e).__name__, e))
