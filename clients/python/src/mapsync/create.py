"""Creating maps, as Java and the mapsync command create them (libmapsync's mapsync_create): the file made
exclusively (of creators racing for a name one wins; the others get MapExists), laid out, and published only when
complete. Each function returns the new map open read-write, as ``mapsync.open`` would.

Zero (or None) for lock_stripes, segments and changelog_capacity takes Java's defaults: one lock stripe per entry up
to 4096; one segment per 128 entries of capacity, up to 4096; a changelog of 4096 changes.
"""
import ctypes
import os

from . import _native as n
from .errors import IncompatibleMap, InvalidValue, error_for
from .kinds import wrap
from .schema import Schema

_PAGE = 4096
_MAX_RING = 1 << 30


def _create(name, dir, spec, tuples=False):
    target = os.fspath(name)
    if dir is not None and "/" not in target:
        target = os.path.join(os.fspath(dir), target[4:] if target.startswith("shm:") else target)
    raw = n.Map()
    rc = n.LIB.mapsync_create(ctypes.byref(raw), target.encode(), ctypes.byref(spec))
    if rc < 0:
        raise error_for(rc, raw.error.decode("utf-8", "replace"))
    return wrap(raw, target, tuples)


def _text(schema):
    return None if schema is None else str(schema).encode()


def _count(what, value):
    value = 0 if value is None else value
    if not isinstance(value, int) or isinstance(value, bool) or value < 0 or value > 0xFFFFFFFF:
        raise InvalidValue("%s must be a whole number from 0 to 4294967295, not %r" % (what, value))
    return value


def create_array(name, schema, entries, dir=None, mode=0o600, lock_stripes=0, changelog_capacity=0, tuples=False):
    """Creates an array of ``entries`` values of ``schema`` (a schema text such as "id:i64,balance:i64"): NAME in
    ``dir``, else $MAPSYNC_DIR, else the default folder, or a path containing '/'. Returns the SharedArray (values
    read as named tuples with ``tuples``, as mapsync.open's). Raises MapExists, InvalidValue, MapAccessDenied."""
    spec = n.CreateSpec(map_type=n.TYPE_ARRAY, value_schema=_text(schema), entries=_count("entries", entries),
                        lock_stripes=_count("lock_stripes", lock_stripes),
                        changelog_capacity=_count("changelog_capacity", changelog_capacity), mode=_count("mode", mode))
    return _create(name, dir, spec, tuples)


def create_hash(name, key_schema, value_schema, capacity, dir=None, mode=0o600, segments=0, changelog_capacity=0,
                tuples=False):
    """Creates a hash map of up to ``capacity`` keys of ``key_schema`` to values of ``value_schema``, in
    ``segments`` segments. Returns the SharedHashMap. Raises MapExists, InvalidValue, MapAccessDenied."""
    spec = n.CreateSpec(map_type=n.TYPE_HASH, key_schema=_text(key_schema), value_schema=_text(value_schema),
                        entries=_count("capacity", capacity), lock_stripes=_count("segments", segments),
                        changelog_capacity=_count("changelog_capacity", changelog_capacity), mode=_count("mode", mode))
    return _create(name, dir, spec, tuples)


def _ring_bytes(values, value_size):
    """The ring Java's MapSpec.queue sizes for ``values`` records: the smallest power of two, a page at least,
    with room for that many records of round_up(8 + value size, 8) bytes."""
    needed = max(_PAGE, max(1, values) * ((value_size + 8 + 7) & ~7))
    return 1 << (needed - 1).bit_length()


def create_queue(name, schema=None, capacity_bytes=None, values=None, dir=None, mode=0o600, tuples=False):
    """Creates a queue of values of ``schema`` (a SharedQueue), or with no schema a ring of raw records (a
    SharedRing). Its size is ``capacity_bytes`` (a power of two from 4096 to 1 GiB), or the ring Java's
    MapSpec.queue makes for ``values`` values; one of the two. Raises MapExists, InvalidValue, MapAccessDenied."""
    if (capacity_bytes is None) == (values is None):
        raise InvalidValue("queue %s: give capacity_bytes or values, one of the two" % name)
    if values is not None:
        if schema is None:
            raise InvalidValue("queue %s: a ring of raw records is sized in bytes (capacity_bytes)" % name)
        try:
            size = Schema(str(schema)).size
        except IncompatibleMap as e:
            raise InvalidValue("queue %s: %s" % (name, e), e.errno) from None
        capacity_bytes = _ring_bytes(_count("values", values), size)
        if capacity_bytes > _MAX_RING:
            raise InvalidValue("queue %s: %d values of %s need a ring of more than %d bytes, the most a ring has"
                               % (name, values, schema, _MAX_RING))
    spec = n.CreateSpec(map_type=n.TYPE_RING, value_schema=_text(schema),
                        entries=_count("capacity_bytes", capacity_bytes), mode=_count("mode", mode))
    return _create(name, dir, spec, tuples)


def create_counters(name, count, dir=None, mode=0o600):
    """Creates a counter map of ``count`` sharded i64 counters (1 to 1024). Returns the SharedCounters. Raises
    MapExists, InvalidValue, MapAccessDenied."""
    spec = n.CreateSpec(map_type=n.TYPE_COUNTER, entries=_count("count", count), mode=_count("mode", mode))
    return _create(name, dir, spec)


def create_barrier(name, parties, dir=None, mode=0o600):
    """Creates a barrier of ``parties`` parties (1 to 1024). Returns the SharedBarrier. Raises MapExists,
    InvalidValue, MapAccessDenied."""
    spec = n.CreateSpec(map_type=n.TYPE_BARRIER, entries=_count("parties", parties), mode=_count("mode", mode))
    return _create(name, dir, spec)
