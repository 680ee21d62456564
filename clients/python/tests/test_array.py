"""Arrays: values made by the Java command line read exactly, values written here read by it, atomics, bounds,
values that do not fit, read-only handles, closed handles."""
import collections
import threading
import unittest

from support import MapFolder, mapsync

SCHEMA = "id:i64,balance:i64,owner:char[16],pos:{x:f32,y:f64},tags:u8[3],n:i32,u:u32"


class ArrayTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = MapFolder()
        cls.dir.cli("create", "accounts", "--value", SCHEMA, "--entries", "8")
        cls.dir.cli("create", "hits", "--value", "i64", "--entries", "4")
        cls.dir.cli("set", "accounts", "3", "id=3,balance=-100,owner=ada,pos.x=1.5,pos.y=-0.25,tags=[1,2,255],n=-7,u=9")

    @classmethod
    def tearDownClass(cls):
        cls.dir.remove()

    def setUp(self):
        self.m = mapsync.open("accounts")
        self.addCleanup(self.m.close)

    def test_reads_what_java_wrote_field_by_field(self):
        self.assertIsInstance(self.m, mapsync.SharedArray)
        self.assertEqual(8, len(self.m))
        self.assertEqual({"id": 3, "balance": -100, "owner": "ada", "pos": {"x": 1.5, "y": -0.25}, "tags": [1, 2, 255],
                          "n": -7, "u": 9}, self.m[3])
        self.assertEqual(0, self.m.get(-1)["id"])
        self.assertEqual(8, len(list(self.m)))

    def test_java_reads_what_python_wrote(self):
        value = {"id": 5, "balance": 77, "owner": "bob", "pos": {"x": -2.0, "y": 3.5}, "tags": [0, 9, 8], "n": 1,
                 "u": 4000000000}
        self.m[5] = value
        self.assertEqual(value, self.m[5])
        out = self.dir.cli("get", "accounts", "5").stdout.strip()
        self.assertEqual("id=5,balance=77,owner=bob,pos.x=-2.0,pos.y=3.5,tags=[0,9,8],n=1,u=4000000000", out)
        Pos = collections.namedtuple("Pos", "x y")
        Account = collections.namedtuple("Account", "id balance owner pos tags n u")
        self.m[4] = Account(4, 1, "nt", Pos(0.5, 1.0), (1, 1, 1), -1, 0)
        self.assertEqual({"id": 4, "balance": 1, "owner": "nt", "pos": {"x": 0.5, "y": 1.0}, "tags": [1, 1, 1], "n": -1,
                          "u": 0}, self.m[4])

    def test_add_and_compare_and_set_return_what_was_there(self):
        self.m[6] = {"id": 6, "balance": 10, "owner": "", "pos": {"x": 0, "y": 0}, "tags": [0, 0, 0], "n": 0, "u": 0}
        self.assertEqual(10, self.m.add(6, 5, field="balance"))
        self.assertEqual(15, self.m.add(6, -20, field="balance"))
        self.assertEqual(-5, self.m[6]["balance"])
        self.assertEqual(0, self.m.add(6, -1, field="n"))
        self.assertEqual(0, self.m.add(6, -1, field="u"))
        self.assertEqual(4294967295, self.m.add(6, 2, field="u"))  # unsigned, wrapping at 32 bits
        self.assertEqual({"n": -1, "u": 1}, {k: self.m[6][k] for k in ("n", "u")})
        self.assertFalse(self.m.compare_and_set(6, 0, 1, field="balance"))
        self.assertTrue(self.m.compare_and_set(6, -5, 1, field="balance"))
        self.assertEqual(1, self.m[6]["balance"])
        with mapsync.open("hits") as hits:
            self.assertEqual(0, hits.add(2, 3))
            self.assertTrue(hits.compare_and_set(2, 3, 40))
            self.assertEqual(40, hits[2])
        self.assertEqual("40", self.dir.cli("get", "hits", "2").stdout.strip())

    def test_four_threads_add_to_one_value_and_none_is_lost(self):
        with mapsync.open("hits") as hits:
            start = hits[1]

            def add():
                for _ in range(5000):
                    hits.add(1, 1)
            threads = [threading.Thread(target=add) for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertEqual(start + 20000, hits[1])

    def test_bad_indexes_fields_and_values_are_refused_with_their_reason(self):
        with self.assertRaises(mapsync.IndexOutOfRange) as e:
            self.m.get(8)
        self.assertEqual("index 8 out of range for map accounts (0..7)", str(e.exception))
        with self.assertRaises(IndexError):
            self.m.set(-9, {})
        with self.assertRaises(mapsync.InvalidValue) as e:
            self.m.add(0, 1, field="owner")
        self.assertIn("not a 32- or 64-bit integer", str(e.exception))
        with self.assertRaises(mapsync.InvalidValue):
            self.m.add(0, 1)  # a record: name the field
        value = dict(self.m[0], owner="x" * 17)
        with self.assertRaises(mapsync.InvalidValue) as e:
            self.m[0] = value
        self.assertIn("too long for field owner (char[16])", str(e.exception))
        with self.assertRaises(mapsync.InvalidValue) as e:
            self.m[0] = {"id": 1}
        self.assertIn("no value for field balance", str(e.exception))
        with self.assertRaises(mapsync.InvalidValue):
            self.m[0] = dict(self.m[0], n=1 << 31)

    def test_a_read_only_handle_reads_and_refuses_writes(self):
        with mapsync.open("accounts", read_only=True) as ro:
            self.assertTrue(ro.read_only)
            self.assertEqual(3, ro[3]["id"])
            with self.assertRaises(mapsync.ReadOnlyMap):
                ro.add(3, 1, field="balance")
            with self.assertRaises(mapsync.ReadOnlyMap):
                ro[3] = ro[3]
            with self.assertRaises(mapsync.ReadOnlyMap):
                with ro.lock(3):
                    pass

    def test_a_closed_handle_says_so(self):
        m = mapsync.open("accounts")
        m.close()
        m.close()
        with self.assertRaises(mapsync.MapClosed):
            m.get(0)


if __name__ == "__main__":
    unittest.main()
