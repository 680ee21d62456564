"""The open handle every kind of map shares: opening by name or path, closing, and turning libmapsync's return codes
into exceptions.

Thread safety (libmapsync's): one handle may be used by several threads at once, except while it is being opened or
closed; close it once every thread is done with it. A lock belongs to the thread that took it.
"""
import ctypes
import os
import threading

from . import _native as n
from .errors import MapClosed, error_for

FOREVER_STEP_MS = 1000  # a wait without a timeout is made of waits this long, so that Ctrl-C is heard between them


class Handle:
    """An open map of any kind. Use it as a context manager, or call close()."""

    _kind = None

    def __init__(self, raw, name):
        self._m = raw
        self._ref = ctypes.byref(raw)
        self.name = name
        self._closed = False
        self._close_lock = threading.Lock()
        self._cursors = set()

    @property
    def read_only(self):
        """True for a handle opened read-only (it cannot lock or write)."""
        return bool(self._m.read_only)

    @property
    def key_schema(self):
        return self._m.key_schema.decode()

    @property
    def value_schema(self):
        return self._m.value_schema.decode()

    @property
    def backend(self):
        """'shm' or 'bpf'."""
        return "bpf" if self._m.backend == 1 else "shm"

    def _handle(self):
        if self._closed:
            raise MapClosed("map %s is closed" % self.name)
        return self._ref

    def _check(self, rc, overrides=None):
        """Raises the exception of rc (a negative errno), with the handle's sentence; returns rc otherwise."""
        if rc < 0:
            raise error_for(rc, self._m.error.decode("utf-8", "replace"), overrides)
        return rc

    def close(self):
        """Closes the map and gives its process slot up; locks still held pass to the next locker as a dead owner's.
        Safe twice. Call it once no other thread uses the handle."""
        with self._close_lock:
            if not self._closed:
                for cursor in list(self._cursors):
                    cursor.close()
                self._release()
                self._closed = True
                n.LIB.mapsync_close(self._ref)

    def _release(self):
        """What a kind frees before the map closes (a consumer, a cursor)."""

    @property
    def closed(self):
        return self._closed

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self):
        return "<%s %s%s>" % (type(self).__name__, self.name, " closed" if self._closed else "")


def open_raw(name_or_path, dir=None, read_only=False):
    """Opens the map with libmapsync: a filled struct mapsync_map, or raises the error's exception."""
    target = os.fspath(name_or_path)
    if dir is not None and not target.startswith("bpf:"):
        if target.startswith("shm:"):
            target = target[4:]
        if "/" not in target:
            target = os.path.join(os.fspath(dir), target)
    raw = n.Map()
    rc = n.LIB.mapsync_open(ctypes.byref(raw), target.encode(), n.READ_ONLY if read_only else 0)
    if rc < 0:
        raise error_for(rc, raw.error.decode("utf-8", "replace"))
    return raw, target
