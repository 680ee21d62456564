"""Barriers, and the errors of opening: no such map, a corrupt file, a map of another layout."""
import os
import threading
import unittest

from support import MapFolder, mapsync


class BarrierAndErrorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = MapFolder()
        cls.dir.cli("barrier", "create", "phase", "--parties", "2")

    @classmethod
    def tearDownClass(cls):
        cls.dir.remove()

    def test_two_parties_trip_one_generation_and_a_lone_one_times_out(self):
        generations = []
        with mapsync.open("phase") as a, mapsync.open("phase") as b:
            self.assertEqual(2, a.parties)
            t = threading.Thread(target=lambda: generations.append(b.await_(timeout=10)))
            t.start()
            generations.append(a.wait(timeout=10))
            t.join()
            self.assertEqual(1, len(set(generations)))
            self.assertEqual(2, len(generations))
            with self.assertRaises(mapsync.WaitTimeout):
                a.await_(timeout=0.05)
            with self.assertRaises(mapsync.BarrierBroken):
                b.await_(timeout=1)
            a.reset()

    def test_opening_errors_say_what_is_wrong(self):
        with self.assertRaises(mapsync.MapNotFound) as e:
            mapsync.open("nothing")
        self.assertIn("nothing", str(e.exception))
        self.assertIsInstance(e.exception, mapsync.MapSyncError)
        path = os.path.join(self.dir.path, "garbage")
        with open(path, "wb") as f:
            f.write(b"NOTAMAP!" + bytes(8192))
        os.chmod(path, 0o600)
        with self.assertRaises(mapsync.CorruptMap) as e:
            mapsync.open("garbage")
        self.assertIn("garbage", str(e.exception))
        with self.assertRaises(mapsync.MapNotFound):
            mapsync.open("phase", dir=os.path.join(self.dir.path, "none"))
        with mapsync.open("shm:phase", dir=self.dir.path) as b:
            self.assertIsInstance(b, mapsync.SharedBarrier)


if __name__ == "__main__":
    unittest.main()
