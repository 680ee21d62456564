"""Counter maps: adds from many threads on one handle and from several handles, sums, cells, reset, refusals."""
import os
import threading
import unittest

from support import MapFolder, mapsync


class CounterTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = MapFolder()

    @classmethod
    def tearDownClass(cls):
        cls.dir.remove()

    def test_threads_and_handles_add_exactly_and_each_handle_has_its_cell(self):
        with mapsync.create_counters("hits", 2) as a, mapsync.open("hits") as b:
            self.assertIsInstance(b, mapsync.SharedCounters)
            self.assertNotEqual(a.slot, b.slot)
            threads = [threading.Thread(target=lambda: [a.increment(0) for _ in range(2000)]) for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            b.add(0, -3)
            b.add(1, 1 << 40)
            self.assertEqual(7997, a.sum(0))
            self.assertEqual([7997, 1 << 40], b.sums())
            pid = os.getpid()
            self.assertEqual(sorted([(a.slot, pid, 8000), (b.slot, pid, -3)]), b.cells(0))
            self.assertEqual(7997, b.sum_then_reset(0))
            self.assertEqual(0, a[0])

    def test_refusals(self):
        mapsync.create_counters("few", 1).close()
        with mapsync.open("few", read_only=True) as r:
            self.assertEqual(-1, r.slot)
            with self.assertRaises(mapsync.ReadOnlyMap):
                r.add(0, 1)
            with self.assertRaises(mapsync.IndexOutOfRange):
                r.sum(1)
        with self.assertRaises(mapsync.InvalidValue):
            mapsync.create_counters("many", 1025)


if __name__ == "__main__":
    unittest.main()
