"""Hash maps (FORMAT.md §10): keys and values of the stored key and value schemas; on the bpf backend (§10.8) a
kernel hash map, every operation a bpf(2) call in libmapsync, writes under the key's stripe lock as Java's.

``h[key]`` / ``h.get(key)`` read without a lock and are never torn; ``h[key] = value`` inserts or replaces under the
key's segment lock; ``del h[key]`` removes it; ``key in h``; ``for key, value in h.items()``; ``len(h)`` counts by
iterating. A key is given as the key schema says (a str for ``char[N]``, an int, a dict of fields).
``with h.lock(key):`` / ``with h.lock_all(k1, k2) as held:`` hold keys' locks (as Java's lock / lockAll; the holder's
own writes to those keys run under them; ``held.previous_owner_died``); ``h.get_all([k1, k2])`` reads several keys as
one moment; ``h.add(key, delta, field=None)`` adds to an integer value or field (8 to 64 bits) under the key's lock.
A per-CPU kernel hash map (PERCPU_HASH, LRU_PERCPU_HASH, ``cpus`` > 0; see mapsync.percpu): ``h[key]`` and ``items()``
give the sum of the CPUs' values, ``h.get_per_cpu(key)`` and ``items_per_cpu()`` each CPU's and the sum, ``h[key] = v``
sets every CPU's value; ``add`` raises Unsupported (it would write the new sum as every CPU's value).
Thread safety: a SharedHashMap may be used by several threads at once.
Raises KeyError (a MapSyncError too: KeyNotFound) for an absent key, MapFull when there is no room, ReadOnlyMap,
LockTimeout, InvalidValue, CorruptMap, MapClosed.
"""
import ctypes
import errno as _errno

from . import _native as n
from .changes import Cursor
from .errors import IncompatibleMap, MapSyncError
from .handle import Handle
from .percpu import PerCpu
from .locks import DEFAULT_TIMEOUT, _LOCK_ERRORS, KeyLock
from .schema import Schema, as_field, wrap

READ_TIMEOUT = 10.0


class KeyNotFound(MapSyncError, KeyError):
    """The key is not in the hash map."""

    def __str__(self):
        return self.args[0] if self.args else ""


class SharedHashMap(Handle):
    """A hash map; see the module's docstring."""

    def __init__(self, raw, name, tuples=False):
        super().__init__(raw, name)
        # with tuples, keys of fields are named tuples too: unlike dicts they can be dict keys and set members
        self._keys = Schema(self.key_schema, tuples, "Key")
        self.schema = Schema(self.value_schema, tuples)
        self._key_size, self._value_size = raw.key_size, raw.value_size

    def _key(self, key):
        return self._keys.encode(key)

    def _check_key(self, rc, key, extra=None):
        if rc == -_errno.ENOENT:
            raise KeyNotFound("key %r is not in map %s" % (key, self.name), _errno.ENOENT)
        return self._check(rc, extra)

    def __getitem__(self, key):
        out = ctypes.create_string_buffer(max(self._value_size, 1))
        self._check_key(n.LIB.mapsync_hash_get(self._handle(), self._key(key), out, int(READ_TIMEOUT * 1000)), key)
        return self.schema.decode(out)

    def get(self, key, default=None):
        """The value of ``key``, or ``default`` when it is absent."""
        try:
            return self[key]
        except KeyNotFound:
            return default

    @property
    def cpus(self):
        """The possible CPUs of a per-CPU kernel hash map (the values of each key), else 0."""
        return self._m.cpus

    def _per_cpu(self, raw):
        cpus, size = self._m.cpus, self._value_size
        total = ctypes.create_string_buffer(size)
        self._check(n.LIB.mapsync_per_cpu_sum(self._handle(), raw, total))
        data = raw.raw
        return PerCpu([self.schema.decode(data[c * size:(c + 1) * size]) for c in range(cpus)], self.schema.decode(total))

    def _require_per_cpu(self):
        if self._m.cpus == 0:
            raise IncompatibleMap("map %s is not a per-CPU hash map: it has one value per key; use get" % self.name)

    def get_per_cpu(self, key, default=None):
        """Every CPU's value of ``key`` in a per-CPU hash map and their sum (a PerCpu, a list with ``.sum``), from one
        lookup; ``default`` when the key is absent. IncompatibleMap for a map that is not a per-CPU hash map."""
        self._require_per_cpu()
        values = ctypes.create_string_buffer(self._m.cpus * self._value_size)
        rc = n.LIB.mapsync_hash_get_per_cpu(self._handle(), self._key(key), values)
        if rc == -_errno.ENOENT:
            return default
        self._check(rc)
        return self._per_cpu(values)

    def items_per_cpu(self):
        """(key, PerCpu) pairs of a per-CPU hash map, as ``items`` iterates them."""
        self._require_per_cpu()
        it = n.HashIter()
        self._check(n.LIB.mapsync_hash_iter_begin(self._handle(), ctypes.byref(it)))
        k = ctypes.create_string_buffer(max(self._key_size, 1))
        v = ctypes.create_string_buffer(self._m.cpus * self._value_size)
        try:
            while True:
                rc = n.LIB.mapsync_hash_next_per_cpu(ctypes.byref(it), k, v)
                if rc == 0:
                    return
                self._check(rc)
                yield self._keys.decode(k), self._per_cpu(v)
        finally:
            n.LIB.mapsync_hash_iter_end(ctypes.byref(it))

    def __contains__(self, key):
        rc = n.LIB.mapsync_hash_get(self._handle(), self._key(key), None, int(READ_TIMEOUT * 1000))
        if rc == -_errno.ENOENT:
            return False
        self._check(rc)
        return True

    def put(self, key, value, timeout=DEFAULT_TIMEOUT):
        """Inserts or replaces ``key``'s value, and records the change."""
        k, v = self._key(key), self.schema.encode(value)
        self._check(n.LIB.mapsync_hash_put(self._handle(), k, v, int(timeout * 1000)), _LOCK_ERRORS)

    def __setitem__(self, key, value):
        self.put(key, value)

    def remove(self, key, timeout=DEFAULT_TIMEOUT):
        """Removes ``key`` (KeyNotFound when it is absent), and records the change."""
        self._check_key(n.LIB.mapsync_hash_remove(self._handle(), self._key(key), int(timeout * 1000)), key, _LOCK_ERRORS)

    def __delitem__(self, key):
        self.remove(key)

    def pop(self, key, *default):
        """Removes ``key`` and returns the value it had (or ``default`` when absent)."""
        try:
            value = self[key]
            self.remove(key)
            return value
        except KeyNotFound:
            if default:
                return default[0]
            raise

    def lock(self, key, timeout=DEFAULT_TIMEOUT):
        """``with h.lock(key) as held:`` the lock of ``key``'s segment (see mapsync.locks)."""
        return KeyLock(self, [self._key(key)], timeout)

    def lock_all(self, *keys, timeout=DEFAULT_TIMEOUT):
        """``with h.lock_all(k1, k2) as held:`` the locks of several keys' segments, ascending, all or none within
        ``timeout``. A single list or tuple of keys may be given instead."""
        if len(keys) == 1 and isinstance(keys[0], (list, tuple)):
            keys = tuple(keys[0])
        return KeyLock(self, [self._key(k) for k in keys], timeout)

    def get_all(self, keys, timeout=DEFAULT_TIMEOUT):
        """A dict of the present ones of ``keys`` and their values, read under the keys' locks as one moment of the
        map (as Java's getAll): a record moved between two keys under both locks is seen once."""
        keys = list(keys)
        if not keys:
            return {}
        raw = b"".join(self._key(k) for k in keys)
        values = ctypes.create_string_buffer(max(self._value_size * len(keys), 1))
        found = (ctypes.c_bool * len(keys))()
        self._check(n.LIB.mapsync_hash_get_all(self._handle(), raw, len(keys), values, found, int(timeout * 1000)),
                    _LOCK_ERRORS)
        size = self._value_size
        return {k: self.schema.decode(values.raw[i * size:(i + 1) * size]) for i, k in enumerate(keys) if found[i]}

    def add(self, key, delta, field=None, timeout=DEFAULT_TIMEOUT):
        """Adds ``delta`` to the integer value of ``key`` (or its integer ``field``, dotted for a nested one) under the
        key's lock, wrapping at the integer's width, and returns the value before; an absent key is inserted with
        zeros but that field (as Java's getAndAdd). Records the change as an atomic one."""
        leaf = self.schema.field(field, (1, 2, 4, 8))
        before = ctypes.c_int64()
        self._check(n.LIB.mapsync_hash_add(self._handle(), self._key(key), leaf.offset, leaf.size,
                                           wrap(delta, 64, True), ctypes.byref(before), int(timeout * 1000)),
                    _LOCK_ERRORS)
        return as_field(leaf, before.value)

    def items(self):
        """(key, value) pairs, segment by segment, each segment copied at one moment: a key present all along is seen
        exactly once."""
        it = n.HashIter()
        self._check(n.LIB.mapsync_hash_iter_begin(self._handle(), ctypes.byref(it)))
        k = ctypes.create_string_buffer(max(self._key_size, 1))
        v = ctypes.create_string_buffer(max(self._value_size, 1))
        try:
            while True:
                rc = n.LIB.mapsync_hash_next(ctypes.byref(it), k, v)
                if rc == 0:
                    return
                self._check(rc)
                yield self._keys.decode(k), self.schema.decode(v)
        finally:
            n.LIB.mapsync_hash_iter_end(ctypes.byref(it))

    def keys(self):
        for key, _ in self.items():
            yield key

    def values(self):
        for _, value in self.items():
            yield value

    __iter__ = keys

    def __len__(self):
        return sum(1 for _ in self.items())

    @property
    def key_type(self):
        """The named tuple type of keys of fields (what a handle opened with tuples=True reads), else None."""
        return self._keys.value_type

    @property
    def value_type(self):
        """The named tuple type of values of fields (what a handle opened with tuples=True reads), else None."""
        return self.schema.value_type

    @property
    def capacity(self):
        return self._m.entries

    def watch(self, timeout=None):
        """A Cursor of this map's changes from now on, each with its key."""
        return Cursor(self, timeout)
