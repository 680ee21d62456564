"""bench.py: what the Python client's operations cost on this machine, one thread, no contention: a get of a
3-field record (id:i64,balance:i64,check:i64), a set of one, an atomic add, an entry lock and unlock; and, where
the bpf backend runs (root, and a libmapsync built with libbpf), a get and a put of such a record in a bpf hash map
(a kernel BPF_MAP_TYPE_HASH of u64 keys), N / 10 of them. Each figure is the best of 5 runs of N operations. Makes
its own maps with bin/mapsync in a fresh folder under /tmp (or uses MAP, an array of that schema), and removes them
after.

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
        if folder:
            bpf_hash(folder, args.n // 10)
    finally:
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


def bpf_hash(folder, n):
    """Times a get and a put of a record in a bpf hash map made with bin/mapsync, if this machine can make one."""
    cli = os.path.join(ROOT, "bin", "mapsync")
    name = "bpf:bench_hash_%d" % os.getpid()
    made = subprocess.run([cli, "create", name, "--dir", folder, "--type", "hash", "--key", "u64", "--value", SCHEMA,
                           "--entries", "64"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if made.returncode != 0:
        print("(no bpf hash map figures: %s)" % made.stderr.strip())
        return
    try:
        with mapsync.open(name[len("bpf:"):], dir=folder) as h:  # its sidecar, in the folder
            record = {"id": 1, "balance": 100, "check": ~100}
            h[1] = record
            print("%-38s %8.1f ns/op" % ("bpf hash get (3-field record)", best_of_5(n, lambda: h.get(1))))
            print("%-38s %8.1f ns/op" % ("bpf hash put (3-field record)", best_of_5(n, lambda: h.put(1, record))))
    except mapsync.Unsupported as e:
        print("(no bpf hash map figures: %s)" % e)
    finally:
        subprocess.run([cli, "rm", name, "--dir", folder], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
