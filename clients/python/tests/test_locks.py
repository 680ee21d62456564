"""Locks: context managers, timeouts naming the owner, no re-entry, ascending multi-entry locks, and a lock taken
over from a process killed while it held it."""
import os
import signal
import subprocess
import threading
import unittest

from support import MapFolder, mapsync, python


class LockTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = MapFolder()
        cls.dir.cli("create", "accounts", "--value", "id:i64,balance:i64", "--entries", "4")

    @classmethod
    def tearDownClass(cls):
        cls.dir.remove()

    def setUp(self):
        self.m = mapsync.open("accounts")
        self.addCleanup(self.m.close)

    def test_another_thread_times_out_while_a_lock_is_held_and_gets_it_after(self):
        results = []

        def other(timeout):
            try:
                with self.m.lock(1, timeout=timeout):
                    results.append("locked")
            except mapsync.LockTimeout as e:
                results.append(str(e))
        with self.m.lock(1) as held:
            self.assertFalse(held.previous_owner_died)
            self.assertTrue(self.m.holds(1))
            with self.assertRaises(mapsync.LockAlreadyHeld):
                with self.m.lock(1):
                    pass
            t = threading.Thread(target=other, args=(0.05,))
            t.start()
            t.join()
        self.assertFalse(self.m.holds(1))
        self.assertEqual(1, len(results))
        self.assertIn("pid %d" % os.getpid(), results[0])
        t = threading.Thread(target=other, args=(1.0,))
        t.start()
        t.join()
        self.assertEqual("locked", results[1])

    def test_locked_transfers_from_threads_keep_the_total(self):
        for i in range(4):
            self.m[i] = {"id": i, "balance": 1000}

        def transfer(a, b):
            for _ in range(500):
                with self.m.lock_all(a, b):
                    x, y = self.m[a], self.m[b]
                    x["balance"] -= 1
                    y["balance"] += 1
                    self.m[a], self.m[b] = x, y
        threads = [threading.Thread(target=transfer, args=p) for p in ((0, 1), (1, 0), (3, 0), (2, 3))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual([1500, 1000, 500, 1000], [v["balance"] for v in self.m])

    def test_the_map_wide_lock_is_separate_from_entry_locks(self):
        with self.m.lock_map():
            with self.m.lock(2):
                self.m.set(2, {"id": 2, "balance": 5})
        with self.m.lock_map(timeout=0):
            pass

    def test_a_lock_whose_owner_was_killed_is_taken_over_and_says_so(self):
        child = subprocess.Popen(python(
            "import mapsync, sys, time",
            "m = mapsync.open('accounts')",
            "m.lock(3).__enter__()",
            "print('locked', flush=True)",
            "time.sleep(60)"), stdout=subprocess.PIPE, text=True)
        try:
            self.assertEqual("locked", child.stdout.readline().strip())
            with self.assertRaises(mapsync.LockTimeout) as e:
                with self.m.lock(3, timeout=0):
                    pass
            self.assertIn("pid %d" % child.pid, str(e.exception))
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
            child.stdout.close()
        with self.m.lock(3, timeout=5) as held:
            self.assertTrue(held.previous_owner_died)
        with self.m.lock(3, timeout=0) as held:
            self.assertFalse(held.previous_owner_died)


if __name__ == "__main__":
    unittest.main()
