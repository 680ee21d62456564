"""What the tests share: the mapsync package (installed, or this folder's source with the libmapsync that
``make -C clients/c`` builds, when it is not installed), and maps made by the Java command line (bin/mapsync) in a
fresh folder under /tmp that $MAPSYNC_DIR names.

Run every test: ``python3 -m unittest discover -s clients/python/tests -t clients/python/tests``.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
CLI = os.path.join(ROOT, "bin", "mapsync")


def _import_mapsync():
    try:
        import mapsync  # noqa: F401 (installed)
    except ImportError:
        sys.path.insert(0, os.path.join(ROOT, "clients", "python", "src"))
        if "MAPSYNC_LIB" not in os.environ:
            subprocess.check_call(["make", "-s", "-C", os.path.join(ROOT, "clients", "c")])
            os.environ["MAPSYNC_LIB"] = os.path.join(ROOT, "clients", "c", "build", "libmapsync.so")
    import mapsync
    return mapsync


mapsync = _import_mapsync()


class MapFolder:
    """A fresh folder of maps (mode 0700, as the library's trust rules want), named by $MAPSYNC_DIR while it lives."""

    def __init__(self):
        self.path = tempfile.mkdtemp(prefix="mapsync-py-")
        os.chmod(self.path, 0o700)
        self._previous = os.environ.get("MAPSYNC_DIR")
        os.environ["MAPSYNC_DIR"] = self.path

    def cli(self, *args, check=True):
        """Runs bin/mapsync with --dir set to this folder (the command builds itself the first time)."""
        if not os.path.exists(CLI):
            raise unittest.SkipTest("no %s" % CLI)
        env = dict(os.environ, MAPSYNC_DIR=self.path)
        r = subprocess.run([CLI] + list(args), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if check and r.returncode != 0:
            raise AssertionError("mapsync %s exited %d: %s%s" % (" ".join(args), r.returncode, r.stdout, r.stderr))
        return r

    def remove(self):
        if self._previous is None:
            os.environ.pop("MAPSYNC_DIR", None)
        else:
            os.environ["MAPSYNC_DIR"] = self._previous
        shutil.rmtree(self.path, ignore_errors=True)


def python(*code_lines):
    """A command running Python code with this package importable (as the tests import it)."""
    path = os.pathsep.join(p for p in sys.path if p)
    return [sys.executable, "-c", "import sys; sys.path[:0] = %r.split(%r)\n" % (path, os.pathsep)
            + "\n".join(code_lines)]
