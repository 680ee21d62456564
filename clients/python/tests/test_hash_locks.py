"""Hash map key locks, multi-key reads and field adds: a holder's own writes run under its held locks while another
thread waits; a record moved between two keys under lock_all is seen exactly once by get_all; adds from several
threads sum exactly."""
import threading
import unittest

from support import MapFolder, mapsync


class HashLocksTest(unittest.TestCase):
    def setUp(self):
        self.dir = MapFolder()
        self.h = mapsync.create_hash("accounts", "char[8]", "amount:i64,small:i32,pad:i32", 64, segments=2)

    def tearDown(self):
        self.h.close()
        self.dir.remove()

    def test_a_held_key_lock_covers_the_holders_writes_and_stops_another_thread(self):
        h = self.h
        with h.lock("ada") as held:
            self.assertFalse(held.previous_owner_died)
            h["ada"] = {"amount": 5, "small": 0, "pad": 0}
            self.assertEqual(5, h.add("ada", 3, field="amount"))
            outcome = []

            def other():
                try:
                    h.put("ada", {"amount": 0, "small": 0, "pad": 0}, timeout=0)
                    outcome.append("wrote")
                except mapsync.LockTimeout:
                    outcome.append("timed out")
            t = threading.Thread(target=other)
            t.start()
            t.join()
            self.assertEqual(["timed out"], outcome)
            with self.assertRaises(mapsync.LockAlreadyHeld):
                with h.lock("ada", timeout=0):
                    pass
        self.assertEqual({"amount": 8, "small": 0, "pad": 0}, h["ada"])

    def test_add_inserts_an_absent_key_and_wraps(self):
        h = self.h
        self.assertEqual(0, h.add("bob", 2147483647, field="small"))
        self.assertEqual(2147483647, h.add("bob", 1, field="small"))
        self.assertEqual({"amount": 0, "small": -2147483648, "pad": 0}, h["bob"])
        with self.assertRaises(mapsync.InvalidValue):
            h.add("bob", 1)
        with self.assertRaises(mapsync.InvalidValue):
            h.add("bob", 1, field="nope")

    def test_get_all_gives_the_present_keys(self):
        h = self.h
        h["a"] = {"amount": 1, "small": 2, "pad": 0}
        self.assertEqual({"a": {"amount": 1, "small": 2, "pad": 0}}, h.get_all(["a", "zz"]))
        with h.lock_all("a", "zz"):
            self.assertEqual(["a"], list(h.get_all(["a", "zz"])))
        self.assertEqual({}, h.get_all([]))

    def test_a_record_moved_under_lock_all_is_seen_exactly_once(self):
        h = self.h
        h["a"] = {"amount": 7, "small": 0, "pad": 0}
        done = threading.Event()
        seen = []

        def check():
            while not done.is_set():
                seen.append(len(h.get_all(["a", "b"])))

        checkers = [threading.Thread(target=check) for _ in range(2)]
        for t in checkers:
            t.start()
        for _ in range(500):
            with h.lock_all("a", "b"):
                src, dst = ("a", "b") if "a" in h else ("b", "a")
                h[dst] = h.pop(src)
        done.set()
        for t in checkers:
            t.join()
        self.assertTrue(seen)
        self.assertEqual({1}, set(seen))

    def test_adds_from_several_threads_sum_exactly(self):
        h = self.h

        def adder(delta):
            for _ in range(2000):
                h.add("n", delta, field="amount")
        threads = [threading.Thread(target=adder, args=(d,)) for d in (1, 2, 3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(2000 * 6, h["n"]["amount"])


if __name__ == "__main__":
    unittest.main()
