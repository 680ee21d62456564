"""Creating maps from Python: each kind made, laid out as Java lays it out (the Java command line reads and writes
them), refused when the name is taken or the spec is bad, with nothing left behind."""
import os
import unittest

from support import MapFolder, mapsync


class CreateTest(unittest.TestCase):
    def setUp(self):
        self.dir = MapFolder()

    def tearDown(self):
        self.dir.remove()

    def test_an_array_is_created_open_and_java_reads_it(self):
        with mapsync.create_array("accounts", "id:i64,balance:i64", 8, mode=0o640) as a:
            self.assertIsInstance(a, mapsync.SharedArray)
            self.assertEqual(8, len(a))
            self.assertFalse(a.read_only)
            a[3] = {"id": 3, "balance": 30}
            self.assertEqual("id=3,balance=30", self.dir.cli("get", "accounts", "3").stdout.strip())
        self.assertEqual(0o640, os.stat(os.path.join(self.dir.path, "accounts")).st_mode & 0o7777)
        self.assertEqual(0o600, os.stat(os.path.join(self.dir.path, "accounts.live")).st_mode & 0o7777)
        with self.assertRaises(mapsync.MapExists) as e:
            mapsync.create_array("accounts", "i64", 8)
        self.assertIsInstance(e.exception, FileExistsError)
        self.assertIn("exists already", str(e.exception))

    def test_a_hash_map_in_a_folder_it_makes(self):
        folder = os.path.join(self.dir.path, "sub", "maps")
        with mapsync.create_hash("sessions", "u64", "user:i64,expires:i64", 100, dir=folder, segments=2) as h:
            self.assertIsInstance(h, mapsync.SharedHashMap)
            h[7] = {"user": 1, "expires": 2}
            self.assertEqual({"user": 1, "expires": 2}, h[7])
        self.assertEqual(0o700, os.stat(folder).st_mode & 0o7777)
        with mapsync.open(os.path.join(folder, "sessions")) as again:
            self.assertEqual({"user": 1, "expires": 2}, again[7])

    def test_a_queue_a_ring_and_a_barrier(self):
        with mapsync.create_queue("jobs", "u64", values=300) as q:
            self.assertIsInstance(q, mapsync.SharedQueue)
            q.put(5)
            self.assertEqual(5, q.take(timeout=1))
        with mapsync.open("jobs") as q:
            self.assertEqual(8192, q.capacity)  # 300 records of 16 bytes, as Java's MapSpec.queue sizes it
        with mapsync.create_queue("raw", capacity_bytes=4096) as r:
            self.assertIsInstance(r, mapsync.SharedRing)
        with mapsync.create_barrier("phase", 1) as b:
            self.assertEqual(1, b.parties)
            self.assertEqual(0, b.await_(timeout=1))

    def test_bad_specs_are_refused_and_leave_nothing(self):
        with self.assertRaises(mapsync.InvalidValue) as e:
            mapsync.create_array("bad", "x:what", 4)
        self.assertIn("not a schema", str(e.exception))
        with self.assertRaises(mapsync.InvalidValue) as e:
            mapsync.create_queue("bad", capacity_bytes=5000)
        self.assertIn("power of two", str(e.exception))
        with self.assertRaises(mapsync.InvalidValue):
            mapsync.create_queue("bad", "u64")
        with self.assertRaises(mapsync.InvalidValue):
            mapsync.create_barrier("bad", 0)
        with self.assertRaises(mapsync.InvalidValue):
            mapsync.create_array("bad", "i64", -1)
        self.assertEqual([], os.listdir(self.dir.path))


if __name__ == "__main__":
    unittest.main()
