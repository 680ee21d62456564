"""Change notifications (FORMAT.md §4.3): a cursor subscribed to every change of a map recorded from its start, by
any process, handing out ``Change(key, seq, pid, kind)`` and, for changes the log lost before they were read,
``MissedChanges(from_seq, count)``.

For an array, ``key`` is the entry's index; for a hash map, the key as the key schema says (read with the change).
Thread safety: a cursor is for one thread at a time; several cursors may watch one map.
"""
import ctypes
import time
from typing import NamedTuple

from . import _native as n
from .handle import FOREVER_STEP_MS

KINDS = {n.CHANGE_WRITE: "write", n.CHANGE_ATOMIC: "atomic", n.CHANGE_REMOVE: "remove"}
BATCH = 64


class Change(NamedTuple):
    """One change: the entry's key, its sequence number, the writer's pid, and 'write', 'atomic' or 'remove'."""
    key: object
    seq: int
    pid: int
    kind: str = "write"


class MissedChanges(NamedTuple):
    """``count`` changes from ``from_seq`` on that the log overwrote before this cursor read them."""
    from_seq: int
    count: int


class Cursor:
    """A subscription to a map's changes. Iterating it yields changes until ``timeout`` seconds pass without one
    (forever for None); ``poll(timeout)`` returns the next batch (a list, empty when none came in time).
    Needs a read-write handle (raises ReadOnlyMap). Close it (or use it as a context manager) to unsubscribe."""

    def __init__(self, handle, timeout=None):
        self._handle = handle
        self._raw = n.Cursor()
        self.timeout = timeout
        handle._check(n.LIB.mapsync_subscribe(handle._handle(), ctypes.byref(self._raw)))
        self._out = (n.ChangeRecord * BATCH)()
        self._keyed = handle._m.map_type == n.TYPE_HASH
        if self._keyed:
            self._key_size = handle._m.key_size
            self._keys = ctypes.create_string_buffer(self._key_size * BATCH)
        handle._cursors.add(self)

    def poll(self, timeout=0.0):
        """The changes recorded since the last poll (at most 64), waiting up to ``timeout`` seconds for one."""
        h = self._handle
        h._handle()
        if not self._raw.open:
            return []
        ms = max(0, int(round(timeout * 1000)))
        if self._keyed:
            count = n.LIB.mapsync_poll_keyed(ctypes.byref(self._raw), self._out, self._keys, BATCH, ms)
        else:
            count = n.LIB.mapsync_poll(ctypes.byref(self._raw), self._out, BATCH, ms)
        h._check(count)
        out = []
        for i in range(count):
            c = self._out[i]
            if c.kind == n.CHANGES_MISSED:
                out.append(MissedChanges(c.seq, c.count))
                continue
            key = c.key
            if self._keyed:
                key = h._keys.decode(self._keys.raw[i * self._key_size:(i + 1) * self._key_size])
            out.append(Change(key, c.seq, c.pid, KINDS.get(c.kind, str(c.kind))))
        return out

    def __iter__(self):
        while True:
            if self.timeout is None:
                batch = self.poll(FOREVER_STEP_MS / 1000)
                if not batch:
                    continue
            else:
                batch = self.poll(self.timeout)
                if not batch:
                    return
            yield from batch

    def until(self, count, timeout):
        """Changes until ``count`` have come (missed ones counted by their count) or ``timeout`` seconds passed."""
        deadline = time.monotonic() + timeout
        got, seen = [], 0
        while seen < count:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            for c in self.poll(left):
                got.append(c)
                seen += c.count if isinstance(c, MissedChanges) else 1
        return got

    def close(self):
        """Ends the subscription. Safe twice."""
        if self._raw.open:
            n.LIB.mapsync_unsubscribe(ctypes.byref(self._raw))
        self._handle._cursors.discard(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
