"""bench.py: what the Python client's operations cost on this machine, one thread, no contention: a get of a
3-field record (id:i64,balance:i64,check:i64), a set of one, an atomic add, an entry lock and unlock. Each figure is
the best of 5 runs of N operations. Makes its own map with bin/mapsync in a fresh folder under /tmp (or uses MAP,
an array of that schema), and removes it after.

    python3 clients/python/bench.py [-n N] [--map MAP]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
SCHEMA = "id:i64,balance:i64,check:i64"

try:
    import mapsync
except ImportError:  # run from the source tree: the package here, the library make builds
    sys.path.insert(0, os.path.join(HERE, "src"))
    if "MAPSYNC_LIB" not in os.environ:
        subprocess.check_call(["make", "-s", "-C", os.path.join(ROOT, "clients", "c")])
        os.environ["MAPSYNC_LIB"] = os.path.join(ROOT, "clients", "c", "build", "libmapsync.so")
    import mapsync


def best_of_5(n, op):
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter_ns()
        for _ in range(n):
            op()
        best = min(best, (time.perf_counter_ns() - start) / n)
    return best


def lock_unlock(m):
    with m.lock(1):
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=200_000, help="operations per run (default 200000)")
    parser.add_argument("--map", help="an existing array of %s (default: one made for the run)" % SCHEMA)
    args = parser.parse_args()
    print("# python3 %s -n %d%s" % (os.path.relpath(os.path.abspath(__file__)), args.n,
                                    " --map " + args.map if args.map else ""))
    print("# Python %s, libmapsync %s" % (sys.version.split()[0], mapsync.LIBRARY))
    folder = None
    target = args.map
    if target is None:
        folder = tempfile.mkdtemp(prefix="mapsync-bench-")
        os.chmod(folder, 0o700)
        subprocess.run([os.path.join(ROOT, "bin", "mapsync"), "create", "accounts", "--dir", folder, "--value", SCHEMA,
                        "--entries", "4"], check=True, stdout=subprocess.DEVNULL)
        target = os.path.join(folder, "accounts")
    try:
        with mapsync.open(target) as m:
            record = {"id": 1, "balance": 100, "check": ~100}
            m[1] = record
            ops = [("get (3-field record, never torn)", lambda: m.get(1)),
                   ("set (3-field record, under its lock)", lambda: m.set(1, record)),
                   ("add (atomic, on an i64 field)", lambda: m.add(1, 1, field="balance")),
                   ("lock + unlock (with m.lock(i))", lambda: lock_unlock(m))]
            for name, op in ops:
                print("%-38s %8.1f ns/op" % (name, best_of_5(args.n, op)))
    finally:
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
