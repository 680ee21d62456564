"""Counter maps (FORMAT.md §11): sharded 64-bit counters. ``c.add(i, delta)`` (or ``c.increment(i)``) adds into this
process's own cell of counter ``i``, one atomic add on a cache line no other process writes; ``c.sum(i)`` (or
``c[i]``) adds up every process's cell. A sum is not a snapshot while adds run (it counts every add completed before
it began, and maybe some that run meanwhile); no add is lost, even when its process dies. Adds publish no change
notifications: watch a counter by polling its sum.
Raises IndexOutOfRange, ReadOnlyMap (a read-only handle adding or resetting), MapClosed.
Thread safety: the threads of one handle add into the same cells, atomically.
"""
import ctypes

from . import _native as n
from .handle import Handle

_SLOTS = 1024


class SharedCounters(Handle):
    """A counter map of ``count`` counters."""

    @property
    def count(self):
        return self._m.entries

    def __len__(self):
        return self._m.entries

    @property
    def slot(self):
        """The process slot whose cells this handle adds into, or -1 for a read-only handle."""
        return -1 if self._m.read_only else self._m.token & 0x3FF

    def add(self, index, delta=1):
        """Adds ``delta`` (a signed 64-bit integer) to counter ``index``, in this process's cell."""
        self._check(n.LIB.mapsync_counter_add(self._handle(), _index(index), _delta(delta)))

    def increment(self, index):
        self.add(index, 1)

    def sum(self, index):
        """Counter ``index``'s value: the sum of its cells, of every process that ever added to it."""
        out = ctypes.c_int64()
        self._check(n.LIB.mapsync_counter_sum(self._handle(), _index(index), ctypes.byref(out)))
        return out.value

    __getitem__ = sum

    def sums(self):
        """Every counter's sum, by index."""
        return [self.sum(i) for i in range(self.count)]

    def sum_then_reset(self, index):
        """Takes counter ``index`` back to 0 cell by cell (each an atomic exchange) and returns what it held: every add
        counts once, in what this returns or in later sums."""
        out = ctypes.c_int64()
        self._check(n.LIB.mapsync_counter_sum_then_reset(self._handle(), _index(index), ctypes.byref(out)))
        return out.value

    def cells(self, index):
        """The cells of counter ``index``, one per process slot ever used: a list of (slot, pid, value), by slot."""
        buf = (n.CounterCell * _SLOTS)()
        count = self._check(n.LIB.mapsync_counter_cells(self._handle(), _index(index), buf, _SLOTS))
        return [(c.slot, c.pid, c.value) for c in buf[:min(count, _SLOTS)]]


def _index(index):
    """An index as libmapsync takes it; one that is no u32 is out of range whatever the map."""
    i = int(index)
    return i if 0 <= i < 1 << 32 else (1 << 32) - 1


def _delta(delta):
    d = int(delta)
    if not -(1 << 63) <= d < 1 << 63:
        from .errors import InvalidValue
        raise InvalidValue("delta %d is out of range for a 64-bit counter" % d)
    return d
