"""mapsync for Python: maps in shared memory between processes (arrays of typed values, hash maps, queues and rings,
barriers, sharded counters), with locks, atomics and change notifications, shared with Java and C processes. Built on libmapsync
(clients/c) through ctypes.

    import mapsync
    mapsync.create_array("accounts", "id:i64,balance:i64", 100).close()  # as Java and C create maps
    with mapsync.open("accounts") as m:
        with m.lock_all(3, 7):
            a, b = m[3], m[7]
            a["balance"] -= 10; b["balance"] += 10
            m[3], m[7] = a, b
        m.add(0, 1, field="balance")

Thread safety: a handle may be used by several threads at once (not while it is opened or closed); a lock belongs
to the thread that took it; a cursor and the consumer role are for one thread at a time.
"""
from . import _native
from .array import SharedArray
from .barrier import SharedBarrier
from .counters import SharedCounters
from .changes import Change, Cursor, MissedChanges
from .errors import (BarrierBroken, ConsumerBusy, CorruptMap, IncompatibleMap, IndexOutOfRange, InvalidValue,
                     LibraryNotFound, LockAlreadyHeld, LockNotHeld, LockTimeout, MapAccessDenied, MapClosed, MapExists, MapFull,
                     MapNotFound, MapSyncError, NoFreeSlot, ReadOnlyMap, RecordTooLarge, ReplicaWrite, RingSealed,
                     TornEntry, Unsupported, WaitTimeout)
from .create import create_array, create_barrier, create_counters, create_hash, create_queue
from .handle import Handle, open_raw
from .kinds import wrap
from .hashmap import KeyNotFound, SharedHashMap
from .percpu import PerCpu
from .ring import SharedQueue, SharedRing

__version__ = "4.0.0"
LIBRARY = _native.LIB_PATH  # the libmapsync this package loaded

__all__ = ["open", "create_array", "create_hash", "create_queue", "create_barrier", "create_counters", "MapExists", "SharedArray", "SharedHashMap", "SharedQueue", "SharedRing", "SharedBarrier", "SharedCounters", "Handle", "Change",
           "MissedChanges", "Cursor", "MapSyncError", "MapNotFound", "MapAccessDenied", "CorruptMap",
           "IncompatibleMap", "IndexOutOfRange", "InvalidValue", "LockTimeout", "LockAlreadyHeld", "LockNotHeld",
           "WaitTimeout", "TornEntry", "MapClosed", "MapFull", "RecordTooLarge", "RingSealed", "ConsumerBusy",
           "BarrierBroken", "NoFreeSlot", "ReadOnlyMap", "ReplicaWrite", "Unsupported", "KeyNotFound", "LibraryNotFound", "PerCpu"]


def open(name_or_path, dir=None, read_only=False, tuples=False):
    """Opens a map by its stored schema: NAME (in ``dir``, else $MAPSYNC_DIR, else /dev/shm/mapsync[-UID]), a path
    containing '/', or ``bpf:NAME`` (when libmapsync was built with libbpf; else Unsupported). Returns a
    SharedArray, SharedHashMap, SharedQueue (a ring of values), SharedRing (raw records), SharedBarrier or
    SharedCounters. ``read_only`` maps the memory read-only and claims no process slot (no locks, no writes).
    ``tuples`` reads values of fields (and hash keys of fields) as named tuples of the handle's
    ``schema.value_type`` instead of dicts; writes take either.
    Raises MapNotFound, MapAccessDenied, CorruptMap, IncompatibleMap, Unsupported, NoFreeSlot."""
    raw, target = open_raw(name_or_path, dir, read_only)
    return wrap(raw, target, tuples)
