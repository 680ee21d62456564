"""Hash maps: get, put, remove, membership and iteration, against keys and values the Java command line wrote and
reads."""
import unittest

from support import MapFolder, mapsync


class HashTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = MapFolder()
        cls.dir.cli("create", "sessions", "--type", "hash", "--key", "char[12]", "--value", "user:i64,expires:i64",
                    "--entries", "64")
        cls.dir.cli("create", "flows", "--type", "hash", "--key", "src:u32,port:u16", "--value", "u64",
                    "--entries", "16")
        cls.dir.cli("set", "sessions", "java", "user=42,expires=7")

    @classmethod
    def tearDownClass(cls):
        cls.dir.remove()

    def test_get_put_remove_and_iterate_with_java(self):
        with mapsync.open("sessions") as h:
            self.assertIsInstance(h, mapsync.SharedHashMap)
            self.assertEqual({"user": 42, "expires": 7}, h["java"])
            self.assertIn("java", h)
            self.assertNotIn("py", h)
            self.assertIsNone(h.get("py"))
            h["py"] = {"user": 1, "expires": 2}
            self.assertEqual("user=1,expires=2", self.dir.cli("get", "sessions", "py").stdout.strip())
            self.assertEqual({"java": {"user": 42, "expires": 7}, "py": {"user": 1, "expires": 2}}, dict(h.items()))
            self.assertEqual(2, len(h))
            del h["java"]
            self.assertEqual(2, self.dir.cli("get", "sessions", "java", check=False).returncode)
            with self.assertRaises(KeyError) as e:
                h["java"]
            self.assertIsInstance(e.exception, mapsync.MapSyncError)
            with self.assertRaises(mapsync.KeyNotFound):
                del h["java"]
            self.assertEqual({"user": 1, "expires": 2}, h.pop("py"))
            self.assertEqual(0, len(h))

    def test_record_keys_and_a_full_map(self):
        with mapsync.open("flows") as h:
            for i in range(16):
                h[{"src": i, "port": 443}] = i * 10
            with self.assertRaises(mapsync.MapFull):
                h[{"src": 99, "port": 443}] = 1
            self.assertEqual(70, h[{"src": 7, "port": 443}])
            self.assertEqual(sorted(range(0, 160, 10)), sorted(h.values()))
            self.assertEqual("70", self.dir.cli("get", "flows", "src=7,port=443").stdout.strip())


if __name__ == "__main__":
    unittest.main()
