"""bpf maps (libmapsync built with libbpf): kernel hash maps, plain and with a bpf_spin_lock before each value, read
and written through the hash map API against what the Java command line made, writes and reads; kernel rings: a
ringbuf's one consumer and its refusal of producers, a user ring filled to the byte and its refusal of consumers.
Skipped, with the reason, without root, bpffs, or a libmapsync built with libbpf."""
import os
import unittest

from support import MapFolder, mapsync

PREFIX = "pyb%d" % os.getpid()


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


if __name__ == "__main__":
    unittest.main()
