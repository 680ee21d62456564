"""Change cursors: every write, add and remove of any process, in order, and counts of the ones the log lost."""
import unittest

from support import MapFolder, mapsync


class ChangesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = MapFolder()
        cls.dir.cli("create", "hits", "--value", "i64", "--entries", "8", "--changelog", "16")
        cls.dir.cli("create", "sessions", "--type", "hash", "--key", "char[8]", "--value", "i64", "--entries", "64")

    @classmethod
    def tearDownClass(cls):
        cls.dir.remove()

    def test_a_cursor_sees_python_and_java_changes_with_their_keys(self):
        with mapsync.open("hits") as m, m.watch(timeout=0.2) as cursor:
            m[2] = 7
            m.add(5, 1)
            self.dir.cli("set", "hits", "6", "9")
            changes = cursor.until(3, timeout=10)
            self.assertEqual([(2, "write"), (5, "atomic"), (6, "write")], [(c.key, c.kind) for c in changes])
            self.assertEqual([changes[0].seq + 1, changes[0].seq + 2], [changes[1].seq, changes[2].seq])
            self.assertEqual([], list(cursor))  # nothing more within the timeout

    def test_changes_the_log_overwrote_come_as_one_count(self):
        with mapsync.open("hits") as m, m.watch(timeout=0.1) as cursor:
            for i in range(40):
                m.add(i % 8, 1)
            got = list(cursor)
            missed = [c for c in got if isinstance(c, mapsync.MissedChanges)]
            self.assertEqual(1, len(missed))
            self.assertIsInstance(got[0], mapsync.MissedChanges)
            self.assertEqual(40, missed[0].count + len(got) - 1)
            self.assertEqual(39 % 8, got[-1].key)

    def test_a_hash_cursor_hands_out_keys(self):
        with mapsync.open("sessions") as h, h.watch(timeout=0.2) as cursor:
            h["ada"] = 1
            h["bob"] = 2
            del h["ada"]
            self.assertEqual([("ada", "write"), ("bob", "write"), ("ada", "remove")],
                             [(c.key, c.kind) for c in cursor.until(3, timeout=10)])


if __name__ == "__main__":
    unittest.main()
