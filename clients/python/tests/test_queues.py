"""Queues of values and rings of raw records: put, offer, take and poll in order, a full ring, sealing, and the one
consumer."""
import unittest

from support import MapFolder, mapsync


class QueueTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = MapFolder()

    @classmethod
    def tearDownClass(cls):
        cls.dir.remove()

    def test_a_queue_hands_python_and_java_values_out_once_in_order(self):
        self.dir.cli("queue", "create", "jobs", "--values", "64", "--value", "id:i64,owner:char[8]")
        with mapsync.open("jobs") as q:
            self.assertIsInstance(q, mapsync.SharedQueue)
            self.dir.cli("queue", "put", "jobs", "id=1,owner=java")
            q.put({"id": 2, "owner": "py"}, timeout=1)
            self.assertTrue(q.offer({"id": 3, "owner": "py"}))
            self.assertEqual([1, 2, 3], [q.take(timeout=5)["id"] for _ in range(3)])
            self.assertIsNone(q.poll())
            with self.assertRaises(mapsync.WaitTimeout):
                q.take(timeout=0.01)
            q.put({"id": 4, "owner": "last"})
            q.seal()
            with self.assertRaises(mapsync.RingSealed):
                q.put({"id": 5, "owner": ""})
            self.assertEqual([{"id": 4, "owner": "last"}], list(q))

    def test_a_full_ring_refuses_offers_and_times_puts_out(self):
        self.dir.cli("queue", "create", "events", "--capacity", "4K")
        with mapsync.open("events") as r:
            self.assertIsInstance(r, mapsync.SharedRing)
            record = bytes(range(200))
            put = 0
            while r.offer(record):
                put += 1
            self.assertGreater(put, 10)
            with self.assertRaises(mapsync.WaitTimeout):
                r.put(record, timeout=0.01)
            with self.assertRaises(mapsync.RecordTooLarge):
                r.put(bytes(8192), timeout=0)
            self.assertEqual([record] * put, [r.take(timeout=1) for _ in range(put)])
            self.assertIsNone(r.poll())

    def test_java_takes_what_python_put(self):
        self.dir.cli("queue", "create", "lines", "--capacity", "8K")
        with mapsync.open("lines") as r:
            for i in range(5):
                r.put(("line %d" % i).encode())
            out = self.dir.cli("queue", "take", "lines", "--count", "5", "--timeout", "10s").stdout
            self.assertEqual("".join("line %d\n" % i for i in range(5)), out)

    def test_a_second_consumer_is_refused_while_the_first_lives(self):
        self.dir.cli("queue", "create", "solo", "--capacity", "4K")
        with mapsync.open("solo") as a:
            self.assertIsNone(a.poll())
            r = self.dir.cli("queue", "take", "solo", "--timeout", "0s", check=False)
            self.assertEqual(5, r.returncode, r.stderr)
        with mapsync.open("solo") as b:
            self.assertIsNone(b.poll())


if __name__ == "__main__":
    unittest.main()
