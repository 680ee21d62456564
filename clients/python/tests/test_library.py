"""Loading libmapsync: $MAPSYNC_LIB, when set, is the only place looked at, and the error says what was tried."""
import os
import subprocess
import unittest

from support import python


class LibraryTest(unittest.TestCase):
    def test_a_missing_library_is_named_in_the_error(self):
        env = dict(os.environ, MAPSYNC_LIB="/nonexistent/libmapsync.so")
        r = subprocess.run(python("import mapsync"), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.assertEqual(1, r.returncode)
        self.assertIn("mapsync.errors.LibraryNotFound: cannot load libmapsync; looked at $MAPSYNC_LIB "
                      "(/nonexistent/libmapsync.so: no such file). Install the package with pip", r.stderr)

    def test_a_library_that_is_not_libmapsync_is_refused(self):
        env = dict(os.environ, MAPSYNC_LIB="libm.so.6")
        r = subprocess.run(python("import mapsync"), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.assertEqual(1, r.returncode)
        self.assertIn("looked at $MAPSYNC_LIB (libm.so.6: not libmapsync, or an older one: it has no mapsync_open)", r.stderr)


if __name__ == "__main__":
    unittest.main()
