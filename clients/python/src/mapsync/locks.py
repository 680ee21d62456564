"""Locks as context managers: one entry's, several entries' at once (ascending stripes, as Java's lockAll, so that
processes locking overlapping sets cannot deadlock), and the map-wide lock.

``with m.lock(3) as held:`` takes the lock (raising LockTimeout after ``timeout`` seconds, LockAlreadyHeld if this
thread holds it) and releases it on leaving; ``held.previous_owner_died`` is True when the lock was taken over from a
process that died holding it (an entry it was writing is then torn until written again).
Thread safety: a lock belongs to the thread that took it; enter and leave the context in the same thread.
"""
import ctypes
import errno as _errno

from . import _native as n
from .errors import LockTimeout

DEFAULT_TIMEOUT = 10.0
_LOCK_ERRORS = {_errno.ETIMEDOUT: LockTimeout}


def _ms(timeout):
    return max(0, int(round((DEFAULT_TIMEOUT if timeout is None else timeout) * 1000)))


class _Held:
    """A lock held (or about to be): enter takes it, exit releases it."""

    def __init__(self, handle, timeout):
        self._handle = handle
        self._timeout = timeout
        self.previous_owner_died = False
        self.held = False

    def __enter__(self):
        died = ctypes.c_bool(False)
        self._handle._check(self._take(self._handle._handle(), _ms(self._timeout), ctypes.byref(died)), _LOCK_ERRORS)
        self.previous_owner_died = died.value
        self.held = True
        return self

    def __exit__(self, *exc):
        if self.held:
            self.held = False
            self._handle._check(self._give(self._handle._handle()))


class EntryLock(_Held):
    """The lock of the stripe that guards entry ``index``."""

    def __init__(self, handle, index, timeout):
        super().__init__(handle, timeout)
        self.index = index

    def _take(self, m, ms, died):
        return n.LIB.mapsync_lock(m, self.index, ms, died)

    def _give(self, m):
        return n.LIB.mapsync_unlock(m, self.index)


class ManyLock(_Held):
    """The locks of several entries, taken as one within one deadline (all or none)."""

    def __init__(self, handle, indexes, timeout):
        super().__init__(handle, timeout)
        self.indexes = tuple(indexes)
        self._array = (ctypes.c_uint32 * len(self.indexes))(*self.indexes)

    def _take(self, m, ms, died):
        return n.LIB.mapsync_lock_many(m, self._array, len(self.indexes), ms, died)

    def _give(self, m):
        return n.LIB.mapsync_unlock_many(m, self._array, len(self.indexes))


class MapLock(_Held):
    """The map-wide lock: separate from the entry locks (holding it stops no one from locking or writing entries)."""

    def _take(self, m, ms, died):
        return n.LIB.mapsync_lock_map(m, ms, died)

    def _give(self, m):
        return n.LIB.mapsync_unlock_map(m)


class KeyLock(_Held):
    """The locks of hash map keys' segments (one key or several), taken as one within one deadline (all or none), in
    ascending segment order as Java's lockAll takes them; while held, this thread's own writes to those keys run under
    them."""

    def __init__(self, handle, encoded_keys, timeout):
        super().__init__(handle, timeout)
        self._count = len(encoded_keys)
        self._keys = b"".join(encoded_keys)

    def _take(self, m, ms, died):
        return n.LIB.mapsync_hash_lock_keys(m, self._keys, self._count, ms, died)

    def _give(self, m):
        return n.LIB.mapsync_hash_unlock_keys(m, self._keys, self._count)
