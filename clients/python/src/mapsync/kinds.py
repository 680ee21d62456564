"""The handle class of each kind of map, chosen by what an open or a creation found in the map's header."""
from . import _native as n
from .array import SharedArray
from .barrier import SharedBarrier
from .counters import SharedCounters
from .hashmap import SharedHashMap
from .ring import SharedQueue, SharedRing


def wrap(raw, target, tuples=False):
    """The handle of an open struct mapsync_map: SharedArray, SharedHashMap, SharedQueue (a ring of values),
    SharedRing (raw records), SharedBarrier or SharedCounters; ``tuples``: values of fields read as named tuples.
    Closes the map if the handle cannot be made."""
    kind = raw.map_type
    if kind == n.TYPE_ARRAY:
        cls = SharedArray
    elif kind == n.TYPE_HASH:
        cls = SharedHashMap
    elif kind == n.TYPE_RING:
        cls = SharedQueue if raw.value_size > 0 and raw.value_schema else SharedRing
    elif kind == n.TYPE_COUNTER:
        cls = SharedCounters
    else:
        cls = SharedBarrier
    try:
        return cls(raw, target) if cls in (SharedBarrier, SharedCounters) else cls(raw, target, tuples)
    except BaseException:
        n.LIB.mapsync_close(n.ctypes.byref(raw))  # safe twice
        raise
