"""bpf maps (libmapsync built with libbpf): kernel hash maps, plain and with a bpf_spin_lock before each value, read
and written through the hash map API against what the Java command line made, writes and reads; kernel rings: a
ringbuf's one consumer and its refusal of producers, a user ring filled to the byte and its refusal of consumers;
per-CPU arrays and hash maps the command line made, each CPU's value set through libbpf, read per CPU and summed.
Skipped, with the reason, without root, bpffs, or a libmapsync built with libbpf."""
import ctypes
import ctypes.util
import os
import struct
import unittest

from support import MapFolder, mapsync

PREFIX = "pyb%d" % os.getpid()


def _possible_cpus():
    """The count of /sys/devices/system/cpu/possible ("0-3,6"), as libbpf_num_possible_cpus() counts it."""
    with open("/sys/devices/system/cpu/possible") as f:
        text = f.read().strip()
    count = 0
    for part in text.split(","):
        low, _, high = part.partition("-")
        count += int(high or low) - int(low) + 1
    return count


def _libbpf():
    path = ctypes.util.find_library("bpf")
    if path is None:
        raise unittest.SkipTest("no libbpf.so to set each CPU's value with")
    lib = ctypes.CDLL(path, use_errno=True)
    lib.bpf_obj_get.argtypes = [ctypes.c_char_p]
    lib.bpf_map_update_elem.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint64]
    return lib


def _set_each_cpu(pin, key, values, size):
    """Sets each CPU's value of ``key`` (bytes) of the kernel map pinned at ``pin`` to ``values[c]`` (bytes), as a BPF
    program on each CPU would leave them: one BPF_MAP_UPDATE_ELEM, each value round_up(size, 8) apart."""
    lib = _libbpf()
    fd = lib.bpf_obj_get(pin.encode())
    if fd < 0:
        raise OSError(ctypes.get_errno(), "bpf_obj_get(%s)" % pin)
    stride = (size + 7) // 8 * 8
    buf = b"".join(v.ljust(stride, b"\0") for v in values)
    try:
        if lib.bpf_map_update_elem(fd, key, buf, 0) != 0:
            raise OSError(ctypes.get_errno(), "bpf_map_update_elem")
    finally:
        os.close(fd)


def _skip_reason():
    if os.geteuid() != 0:
        return "the bpf backend needs root (CAP_BPF) here"
    if not os.path.isdir("/sys/fs/bpf"):
        return "no bpffs at /sys/fs/bpf"
    return None


class BpfTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        reason = _skip_reason()
        if reason:
            raise unittest.SkipTest(reason)
        cls.dir = MapFolder()
        cls.names = []

    @classmethod
    def tearDownClass(cls):
        for name in cls.names:
            cls.dir.cli("rm", name, check=False)  # the pin and the sidecar
        cls.dir.remove()

    def make(self, suffix, *args):
        name = "%s%s" % (PREFIX, suffix)
        self.dir.cli(*[a.replace("NAME", name) for a in args])
        self.names.append(name)
        try:
            return mapsync.open("bpf:" + name), name
        except mapsync.Unsupported as e:
            raise unittest.SkipTest("libmapsync was built without libbpf: %s" % e)

    def check_hash(self, h, name):
        self.assertEqual("bpf", h.backend)
        self.assertEqual({"user": 42, "hits": 7, "flags": 1}, h["java"])
        h["py"] = {"user": 1, "hits": 2, "flags": 3}
        self.assertEqual("user=1,hits=2,flags=3", self.dir.cli("get", "bpf:" + name, "py").stdout.strip())
        self.assertIn("py", h)
        self.assertNotIn("nope", h)
        self.assertEqual(2, h.add("py", 65535, field="hits"))  # u16: wraps to 1
        self.assertEqual(3, h.add("py", 254, field="flags"))   # u8: wraps to 1
        self.assertEqual(0, h.add("new", -1, field="user"))    # absent: inserted as zeros but the field
        self.assertEqual({"user": -1, "hits": 0, "flags": 0}, h["new"])
        self.assertEqual({"java": {"user": 42, "hits": 7, "flags": 1}, "py": {"user": 1, "hits": 1, "flags": 1},
                          "new": {"user": -1, "hits": 0, "flags": 0}}, dict(h.items()))
        self.assertEqual(3, len(h))
        del h["java"]
        self.assertEqual(2, self.dir.cli("get", "bpf:" + name, "java", check=False).returncode)
        with self.assertRaises(mapsync.KeyNotFound):
            del h["java"]
        with h.lock("py"):
            h["py"] = {"user": 5, "hits": 5, "flags": 5}  # under the lock the calling thread holds
        self.assertEqual({"py": {"user": 5, "hits": 5, "flags": 5}}, h.get_all(["py", "gone"]))
        with h.watch(timeout=0.2) as cursor:
            self.dir.cli("set", "bpf:" + name, "j2", "user=9,hits=9,flags=9")
            h["p2"] = {"user": 8, "hits": 8, "flags": 8}
            h.add("p2", 1, field="user")
            del h["p2"]
            self.assertEqual([("j2", "write"), ("p2", "write"), ("p2", "atomic"), ("p2", "remove")],
                             [(c.key, c.kind) for c in cursor.until(4, timeout=10)])
        for i in range(17):  # py, new and j2 are there: 20 in all
            h["k%d" % i] = {"user": i, "hits": 0, "flags": 0}
        self.assertEqual(20, len(h))
        with self.assertRaises(mapsync.MapFull) as e:
            h["k17"] = {"user": 17, "hits": 0, "flags": 0}
        self.assertIn("is full: its kernel hash map holds its max_entries (20)", str(e.exception))

    def test_a_kernel_hash_map(self):
        h, name = self.make("h", "create", "bpf:NAME", "--type", "hash", "--key", "char[8]",
                            "--value", "user:i64,hits:u16,flags:u8", "--entries", "20")
        with h:
            self.dir.cli("set", "bpf:" + name, "java", "user=42,hits=7,flags=1")
            self.check_hash(h, name)

    def test_a_kernel_hash_map_with_spin_locked_values(self):
        h, name = self.make("l", "create", "bpf:NAME", "--type", "hash", "--key", "char[8]",
                            "--value", "user:i64,hits:u16,flags:u8", "--entries", "20", "--spin-lock")
        with h:
            self.dir.cli("set", "bpf:" + name, "java", "user=42,hits=7,flags=1")
            self.check_hash(h, name)

    def test_a_kernel_ring_has_one_consumer_and_no_user_space_producer(self):
        q, name = self.make("r", "queue", "create", "bpf:NAME", "--capacity", "4K")
        with q, mapsync.open("bpf:" + name) as other:
            self.assertIsNone(q.poll())  # the consumer now
            with self.assertRaises(mapsync.WaitTimeout):
                q.take(timeout=0.05)
            with self.assertRaises(mapsync.ConsumerBusy) as e:
                other.poll()
            self.assertIn("already has a consumer: pid %d" % os.getpid(), str(e.exception))
            with self.assertRaises(mapsync.MapAccessDenied) as e:
                q.put(b"x")
            self.assertIn("is a kernel BPF ring buffer: only BPF programs produce into it", str(e.exception))

    def test_a_user_ring_takes_records_to_the_byte_and_no_user_space_consumer(self):
        r, name = self.make("u", "queue", "create", "bpf:NAME", "--capacity", "4K", "--user-ring")
        with r:
            fits = 0
            while r.offer(bytes(16)):
                fits += 1
            self.assertEqual(4096 // 24, fits)
            with self.assertRaises(mapsync.MapAccessDenied) as e:
                r.poll()
            self.assertIn("only BPF programs consume it (bpf_user_ringbuf_drain)", str(e.exception))
        stat = self.dir.cli("queue", "stat", "bpf:" + name).stdout
        self.assertIn(str(170 * 24), stat)

    def test_a_per_cpu_array_reads_each_cpus_value_and_their_sum(self):
        a, name = self.make("pa", "create", "bpf:NAME", "--value", "packets:u64,drops:i32,tag:char[4]",
                            "--entries", "3", "--per-cpu")
        cpus = _possible_cpus()
        with a:
            self.assertEqual(cpus, a.cpus)
            self.dir.cli("set", "bpf:" + name, "1", "packets=100,drops=-2,tag=eth0")  # every CPU's value
            each = {"packets": 100, "drops": -2, "tag": "eth0"}
            total = {"packets": 100 * cpus, "drops": -2 * cpus, "tag": "eth0"}
            one = a.get_per_cpu(1)
            self.assertEqual([each] * cpus, one)
            self.assertEqual(total, one.sum)
            self.assertEqual(total, a[1])  # as Java's get: the sum
            self.assertEqual(mapsync.PerCpu([each] * cpus, total), one)
            # each CPU's own value, as BPF programs leave them: u64 and i32 sums wrap, chars are CPU 0's
            _set_each_cpu(a._m.pin.decode(), struct.pack("<I", 2),
                          [struct.pack("<Qi4s", 2 ** 64 - 1 if c == 0 else c, -2 ** 31, b"cpu%d" % (c % 10))
                           for c in range(cpus)], 16)
            two = a.get_per_cpu(2)
            self.assertEqual([{"packets": 2 ** 64 - 1 if c == 0 else c, "drops": -2 ** 31, "tag": "cpu%d" % (c % 10)}
                              for c in range(cpus)], two)
            packets = (2 ** 64 - 1 + sum(range(1, cpus))) % 2 ** 64
            drops = (-2 ** 31 * cpus + 2 ** 31) % 2 ** 32 - 2 ** 31
            self.assertEqual({"packets": packets, "drops": drops, "tag": "cpu0"}, two.sum)
            self.assertEqual(two.sum, a.get(2))
            self.assertEqual({"packets": 0, "drops": 0, "tag": ""}, a[0])
            a[0] = {"packets": 5, "drops": 1, "tag": "py"}  # every CPU's value, which Java reads
            got = self.dir.cli("get", "bpf:" + name, "0", "--per-cpu", "--json").stdout
            self.assertIn('"sum":{"packets":%d,"drops":%d,"tag":"py"}' % (5 * cpus, cpus), got.replace(" ", ""))
            self.assertEqual([{"packets": 5 * cpus, "drops": cpus, "tag": "py"}, total, two.sum], list(a))
            with self.assertRaises(mapsync.Unsupported) as e:
                a.add(1, 1, field="packets")
            self.assertIn("is a per-CPU array: it has no atomic slots", str(e.exception))
            with self.assertRaises(mapsync.IndexOutOfRange):
                a.get_per_cpu(3)

    def test_per_cpu_hash_maps_read_each_cpus_value_and_their_sum(self):
        for lru in (False, True):
            h, name = self.make("ph%d" % lru, "create", "bpf:NAME", "--type", "hash", "--key", "u32",
                                "--value", "hits:u16,bytes:u64,share:f32", "--entries", "16", "--per-cpu",
                                *(["--lru"] if lru else []))
            cpus = _possible_cpus()
            with h:
                self.assertEqual(cpus, h.cpus)
                h[1] = {"hits": 7, "bytes": 1000, "share": 0.5}  # every CPU's value
                self.assertEqual([{"hits": 7, "bytes": 1000, "share": 0.5}] * cpus, h.get_per_cpu(1))
                self.assertEqual({"hits": 7 * cpus, "bytes": 1000 * cpus, "share": 0.5 * cpus}, h[1])
                _set_each_cpu(h._m.pin.decode(), struct.pack("<I", 2),
                              [struct.pack("<HxxxxxxQf", 65535, c + 1, 0.25) for c in range(cpus)], 24)
                two = h.get_per_cpu(2)
                self.assertEqual([{"hits": 65535, "bytes": c + 1, "share": 0.25} for c in range(cpus)], two)
                expected = {"hits": 65535 * cpus % 65536, "bytes": cpus * (cpus + 1) // 2, "share": 0.25 * cpus}
                self.assertEqual(expected, two.sum)
                self.assertEqual(expected, h[2])
                self.assertIsNone(h.get_per_cpu(3))
                self.assertEqual({1: {"hits": 7 * cpus, "bytes": 1000 * cpus, "share": 0.5 * cpus}, 2: expected},
                                 dict(h.items()))
                self.assertEqual({1: [{"hits": 7, "bytes": 1000, "share": 0.5}] * cpus, 2: list(two)},
                                 {k: list(v) for k, v in h.items_per_cpu()})
                self.assertEqual(expected, dict(h.items_per_cpu())[2].sum)
                with self.assertRaises(mapsync.Unsupported) as e:
                    h.add(2, 1, field="bytes")
                self.assertIn("is a per-CPU hash map: an add would write the new sum as every CPU's value",
                              str(e.exception))
                got = self.dir.cli("get", "bpf:" + name, "2", "--per-cpu", "--json").stdout.replace(" ", "")
                self.assertIn('"bytes":%d' % (cpus * (cpus + 1) // 2), got)
                del h[2]
                self.assertEqual(1, len(h))

    def test_a_plain_map_has_no_per_cpu_values(self):
        a, _ = self.make("np", "create", "bpf:NAME", "--value", "u64", "--entries", "2")
        with a:
            self.assertEqual(0, a.cpus)
            with self.assertRaises(mapsync.IncompatibleMap) as e:
                a.get_per_cpu(0)
            self.assertIn("is not a per-CPU array", str(e.exception))


if __name__ == "__main__":
    unittest.main()
