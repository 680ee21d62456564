"""Arrays: ``entries`` values of the stored schema, by index.

Thread safety: a SharedArray may be used by several threads at once (libmapsync's handles are); a lock belongs to
the thread that took it. Reads are never torn: a record is copied between two reads of its stripe's sequence word.
"""
import ctypes

from . import _native as n
from .changes import Cursor
from .errors import IncompatibleMap, IndexOutOfRange, InvalidValue
from .handle import Handle
from .locks import _LOCK_ERRORS, DEFAULT_TIMEOUT, EntryLock, ManyLock, MapLock
from .percpu import PerCpu
from .schema import Schema, as_field, wrap

READ_TIMEOUT = 10.0  # seconds a read waits for a live writer of its stripe before WaitTimeout


class SharedArray(Handle):
    """An array map. ``m[i]``/``m.get(i)``, ``m[i] = v``/``m.set(i, v)``, ``len(m)``, ``for v in m``,
    ``m.add``, ``m.compare_and_set``, ``m.lock``, ``m.lock_all``, ``m.lock_map``, ``m.watch``.

    Raises IndexOutOfRange for an index outside 0..len-1, TornEntry for an entry a dead writer left half-written,
    WaitTimeout when a live writer kept its stripe busy too long, ReadOnlyMap for writes through a read-only handle,
    LockTimeout when a write could not take the entry's lock, InvalidValue for a value that does not fit the schema,
    MapClosed after close().

    A per-CPU kernel array (BPF_MAP_TYPE_PERCPU_ARRAY, ``cpus`` > 0; see mapsync.percpu): ``m[i]`` is the sum of the
    CPUs' values, ``m.get_per_cpu(i)`` each CPU's and the sum, ``m[i] = v`` sets every CPU's value; ``add`` and
    ``compare_and_set`` raise Unsupported (it has no atomic slots)."""

    @property
    def value_type(self):
        """The named tuple type of values of fields (what a handle opened with tuples=True reads), else None."""
        return self.schema.value_type

    def __init__(self, raw, name, tuples=False):
        super().__init__(raw, name)
        self.schema = Schema(self.value_schema, tuples)
        self._size = raw.value_size
        if self.schema.size != self._size:
            self.close()
            raise IncompatibleMap("map %s: schema %s lays out %d bytes, the map stores %d"
                                  % (name, self.value_schema, self.schema.size, self._size))

    def __len__(self):
        return self._m.entries

    def _index(self, i):
        if not isinstance(i, int):
            raise TypeError("an index is an int, not %s" % type(i).__name__)
        j = i + len(self) if i < 0 else i
        if not 0 <= j < len(self):
            raise IndexOutOfRange("index %d out of range for map %s (0..%d)" % (i, self.name, len(self) - 1))
        return j

    @property
    def cpus(self):
        """The possible CPUs of a per-CPU kernel array (the values of each entry), else 0."""
        return self._m.cpus

    def get_per_cpu(self, i):
        """Every CPU's value of entry ``i`` of a per-CPU array and their sum (a PerCpu, a list with ``.sum``), from one
        lookup. IncompatibleMap for a map that is not a per-CPU array."""
        index = self._index(i)
        cpus = self._m.cpus
        if cpus == 0:
            raise IncompatibleMap("map %s is not a per-CPU array: it has one value per entry; use get" % self.name)
        size = self._size
        values = ctypes.create_string_buffer(cpus * size)
        self._check(n.LIB.mapsync_read_per_cpu(self._handle(), index, values))
        total = ctypes.create_string_buffer(size)
        self._check(n.LIB.mapsync_per_cpu_sum(self._handle(), values, total))
        raw = values.raw
        return PerCpu([self.schema.decode(raw[c * size:(c + 1) * size]) for c in range(cpus)],
                      self.schema.decode(total))

    def get(self, i, timeout=READ_TIMEOUT):
        """Value ``i`` (negative indexes count from the end), never torn; of a per-CPU array, the sum of the CPUs'
        values."""
        buf = ctypes.create_string_buffer(max(self._size, 1))
        self._check(n.LIB.mapsync_read(self._handle(), self._index(i), buf, int(timeout * 1000)))
        return self.schema.decode(buf)

    def set(self, i, value, timeout=DEFAULT_TIMEOUT):
        """Writes value ``i`` (a dict or named tuple with every field) so that no reader sees it half-written, under
        the entry's lock (taken for the write, unless this thread holds it); records the change."""
        index = self._index(i)
        buf = self.schema.encode(value)
        self._check(n.LIB.mapsync_write(self._handle(), index, buf, int(timeout * 1000)), _LOCK_ERRORS)

    __getitem__ = get

    def __setitem__(self, i, value):
        self.set(i, value)

    def __iter__(self):
        for i in range(len(self)):
            yield self.get(i)

    def add(self, i, delta, field=None):
        """Atomically adds ``delta`` to integer value ``i`` (or its integer ``field``, dotted for a nested one) and
        returns the value before; records the change. Wraps around as the integer's width does."""
        leaf = self.schema.field(field)
        before = ctypes.c_int64()
        self._check(n.LIB.mapsync_fetch_add(self._handle(), self._index(i), leaf.offset, leaf.size,
                                            wrap(delta, 64, True), ctypes.byref(before)))
        return as_field(leaf, before.value)

    def compare_and_set(self, i, expected, new, field=None):
        """Atomically sets integer value ``i`` (or its ``field``) to ``new`` if it holds ``expected``. True if it did."""
        leaf = self.schema.field(field)
        bits = leaf.size * 8
        for v in (expected, new):
            lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if leaf.signed else (0, (1 << bits) - 1)
            if not isinstance(v, int) or not lo <= v <= hi:
                raise InvalidValue("%r does not fit field %s" % (v, field or "value"))
        witness = ctypes.c_int64()
        e, d = wrap(expected, bits, True), wrap(new, bits, True)
        self._check(n.LIB.mapsync_compare_and_set(self._handle(), self._index(i), leaf.offset, leaf.size, e, d,
                                                  ctypes.byref(witness)))
        return wrap(witness.value, bits, True) == e

    def lock(self, i, timeout=DEFAULT_TIMEOUT):
        """``with m.lock(i) as held:`` the lock of entry ``i``'s stripe (see mapsync.locks)."""
        return EntryLock(self, self._index(i), timeout)

    def lock_all(self, *indexes, timeout=DEFAULT_TIMEOUT):
        """``with m.lock_all(i, j):`` the locks of several entries, ascending, all or none within ``timeout``."""
        if len(indexes) == 1 and not isinstance(indexes[0], int):
            indexes = tuple(indexes[0])
        return ManyLock(self, [self._index(i) for i in indexes], timeout)

    def lock_map(self, timeout=DEFAULT_TIMEOUT):
        """``with m.lock_map():`` the map-wide lock."""
        return MapLock(self, timeout)

    def holds(self, i):
        """True if the calling thread holds the lock of entry ``i`` through this handle."""
        return bool(n.LIB.mapsync_holds(self._handle(), self._index(i)))

    def watch(self, timeout=None):
        """A Cursor of this map's changes from now on: ``for change in m.watch(timeout=1.0):``."""
        return Cursor(self, timeout)
