"""libmapsync through ctypes: finding the library, its structures and the prototypes of its functions.

The library is the file $MAPSYNC_LIB names when it is set; else libmapsync.so next to this package (the one
``pip install`` compiles from clients/c/src); else libmapsync from the system's library path.
Every call into the library releases the GIL (ctypes.CDLL does), so threads block in it without stopping others.
"""
import ctypes
import ctypes.util
import os

from .errors import LibraryNotFound

ENV = "MAPSYNC_LIB"
SCHEMA_TEXT_MAX = 4096 - 256

TYPE_ARRAY, TYPE_HASH, TYPE_RING, TYPE_BARRIER, TYPE_COUNTER = 1, 2, 3, 4, 5
READ_ONLY = 1
CHANGES_MISSED, CHANGE_WRITE, CHANGE_ATOMIC, CHANGE_REMOVE = 0, 1, 2, 3
(I8, I16, I32, I64, U8, U16, U32, U64, F32, F64, BOOL, CHARS) = range(12)


class HashGeometry(ctypes.Structure):
    _fields_ = [("seed", ctypes.c_uint64), ("segment_size", ctypes.c_uint64), ("segments_offset", ctypes.c_uint64),
                ("slots", ctypes.c_uint32), ("slot_size", ctypes.c_uint32), ("segment_header", ctypes.c_uint32),
                ("key_stride", ctypes.c_uint32), ("value_stride", ctypes.c_uint32), ("inserts", ctypes.c_uint32),
                ("kernel_value_size", ctypes.c_uint32), ("kernel_value_offset", ctypes.c_uint32)]


class Map(ctypes.Structure):
    """struct mapsync_map."""
    _fields_ = [("fd", ctypes.c_int), ("bpf_fd", ctypes.c_int), ("lock_fd", ctypes.c_int), ("read_only", ctypes.c_bool),
                ("header", ctypes.c_void_p), ("file", ctypes.c_void_p), ("file_length", ctypes.c_size_t),
                ("control", ctypes.c_void_p), ("data", ctypes.c_void_p), ("data_length", ctypes.c_size_t),
                ("locks", ctypes.c_void_p),
                ("map_type", ctypes.c_uint32), ("backend", ctypes.c_uint32), ("key_size", ctypes.c_uint32),
                ("value_size", ctypes.c_uint32), ("stride", ctypes.c_uint32), ("entries", ctypes.c_uint32),
                ("lock_stripes", ctypes.c_uint32), ("scalar_size", ctypes.c_uint32), ("token", ctypes.c_uint32),
                ("seat", ctypes.c_int32), ("cpus", ctypes.c_uint32), ("hash", HashGeometry), ("name", ctypes.c_char * 256),
                ("key_schema", ctypes.c_char * (SCHEMA_TEXT_MAX + 1)),
                ("value_schema", ctypes.c_char * (SCHEMA_TEXT_MAX + 1)),
                ("pin", ctypes.c_char * 109), ("error", ctypes.c_char * 512)]


class CreateSpec(ctypes.Structure):
    """struct mapsync_create_spec."""
    _fields_ = [("map_type", ctypes.c_uint32), ("key_schema", ctypes.c_char_p), ("value_schema", ctypes.c_char_p),
                ("entries", ctypes.c_uint32), ("lock_stripes", ctypes.c_uint32),
                ("changelog_capacity", ctypes.c_uint32), ("mode", ctypes.c_uint32)]


class Field(ctypes.Structure):
    """struct mapsync_field."""
    _fields_ = [("name", ctypes.c_char * 128), ("kind", ctypes.c_int), ("offset", ctypes.c_uint32),
                ("size", ctypes.c_uint32), ("count", ctypes.c_uint32), ("array", ctypes.c_bool)]


class ChangeRecord(ctypes.Structure):
    """struct mapsync_change."""
    _fields_ = [("seq", ctypes.c_uint64), ("count", ctypes.c_uint64), ("key", ctypes.c_uint32),
                ("pid", ctypes.c_uint32), ("kind", ctypes.c_uint32)]


class Cursor(ctypes.Structure):
    """struct mapsync_cursor."""
    _fields_ = [("map", ctypes.POINTER(Map)), ("next", ctypes.c_uint64), ("open", ctypes.c_bool),
                ("pending_until", ctypes.c_uint64), ("held_at", ctypes.c_uint64)]


class Claim(ctypes.Structure):
    """struct mapsync_claim."""
    _fields_ = [("position", ctypes.c_uint64), ("length", ctypes.c_uint32), ("payload", ctypes.c_void_p)]


class Consumer(ctypes.Structure):
    """struct mapsync_consumer."""
    _fields_ = [("map", ctypes.POINTER(Map)), ("position", ctypes.c_uint64), ("busy_at", ctypes.c_uint64),
                ("busy_since", ctypes.c_uint64), ("lost", ctypes.c_uint64), ("open", ctypes.c_bool)]


class CounterCell(ctypes.Structure):
    _fields_ = [("slot", ctypes.c_uint32), ("pid", ctypes.c_uint32), ("value", ctypes.c_int64)]


class HashIter(ctypes.Structure):
    """struct mapsync_hash_iter."""
    _fields_ = [("map", ctypes.POINTER(Map)), ("segment", ctypes.c_uint32), ("slot", ctypes.c_uint32),
                ("copy", ctypes.c_void_p)]


if (ctypes.sizeof(Map), Map.error.offset, ctypes.sizeof(Field), ctypes.sizeof(ChangeRecord), ctypes.sizeof(Cursor),
        ctypes.sizeof(Claim), ctypes.sizeof(Consumer), ctypes.sizeof(HashIter), ctypes.sizeof(CreateSpec)) != (
        8736, 8223, 148, 32, 40, 24, 48, 24, 40):
    raise ImportError("mapsync's ctypes structures do not match mapsync.h on this platform (x86-64 and aarch64 Linux)")

_M = ctypes.POINTER(Map)
_V = ctypes.c_void_p
_I, _U32, _L, _SZ = ctypes.c_int, ctypes.c_uint32, ctypes.c_long, ctypes.c_size_t
_B = ctypes.POINTER(ctypes.c_bool)
_PROTOTYPES = {
    "mapsync_open": (_I, [_M, ctypes.c_char_p, _I]),
    "mapsync_close": (None, [_M]),
    "mapsync_create": (_I, [_M, ctypes.c_char_p, ctypes.POINTER(CreateSpec)]),
    "mapsync_schema_fields": (_I, [ctypes.c_char_p, ctypes.POINTER(Field), _I, ctypes.POINTER(_U32)]),
    "mapsync_read": (_I, [_M, _U32, _V, _L]),
    "mapsync_write": (_I, [_M, _U32, _V, _L]),
    "mapsync_fetch_add": (_I, [_M, _U32, _U32, _U32, ctypes.c_int64, ctypes.POINTER(ctypes.c_int64)]),
    "mapsync_compare_and_set": (_I, [_M, _U32, _U32, _U32, ctypes.c_int64, ctypes.c_int64,
                                     ctypes.POINTER(ctypes.c_int64)]),
    "mapsync_lock": (_I, [_M, _U32, _L, _B]),
    "mapsync_unlock": (_I, [_M, _U32]),
    "mapsync_lock_many": (_I, [_M, ctypes.POINTER(_U32), _SZ, _L, _B]),
    "mapsync_unlock_many": (_I, [_M, ctypes.POINTER(_U32), _SZ]),
    "mapsync_lock_map": (_I, [_M, _L, _B]),
    "mapsync_unlock_map": (_I, [_M]),
    "mapsync_holds": (ctypes.c_bool, [_M, _U32]),
    "mapsync_record_change": (_I, [_M, _U32, _U32]),
    "mapsync_subscribe": (_I, [_M, ctypes.POINTER(Cursor)]),
    "mapsync_poll": (_I, [ctypes.POINTER(Cursor), ctypes.POINTER(ChangeRecord), _SZ, _L]),
    "mapsync_poll_keyed": (_I, [ctypes.POINTER(Cursor), ctypes.POINTER(ChangeRecord), _V, _SZ, _L]),
    "mapsync_unsubscribe": (None, [ctypes.POINTER(Cursor)]),
    "mapsync_ring_claim": (_I, [_M, _U32, _L, ctypes.POINTER(Claim)]),
    "mapsync_ring_commit": (_I, [_M, ctypes.POINTER(Claim)]),
    "mapsync_ring_discard": (_I, [_M, ctypes.POINTER(Claim)]),
    "mapsync_ring_seal": (_I, [_M]),
    "mapsync_consumer_open": (_I, [_M, ctypes.POINTER(Consumer)]),
    "mapsync_consume": (_I, [ctypes.POINTER(Consumer), _V, _U32, ctypes.POINTER(_U32), _L]),
    "mapsync_consumer_close": (None, [ctypes.POINTER(Consumer)]),
    "mapsync_barrier_await": (_I, [_M, _L, ctypes.POINTER(ctypes.c_uint64)]),
    "mapsync_barrier_reset": (_I, [_M]),
    "mapsync_counter_add": (_I, [_M, _U32, ctypes.c_int64]),
    "mapsync_counter_sum": (_I, [_M, _U32, ctypes.POINTER(ctypes.c_int64)]),
    "mapsync_counter_sum_then_reset": (_I, [_M, _U32, ctypes.POINTER(ctypes.c_int64)]),
    "mapsync_counter_cells": (_I, [_M, _U32, ctypes.POINTER(CounterCell), _I]),
    "mapsync_hash_get": (_I, [_M, _V, _V, _L]),
    "mapsync_hash_put": (_I, [_M, _V, _V, _L]),
    "mapsync_hash_remove": (_I, [_M, _V, _L]),
    "mapsync_hash_add": (_I, [_M, _V, _U32, _U32, ctypes.c_int64, ctypes.POINTER(ctypes.c_int64), _L]),
    "mapsync_hash_lock_keys": (_I, [_M, _V, _SZ, _L, _B]),
    "mapsync_hash_unlock_keys": (_I, [_M, _V, _SZ]),
    "mapsync_hash_get_all": (_I, [_M, _V, _SZ, _V, ctypes.POINTER(ctypes.c_bool), _L]),
    "mapsync_hash_iter_begin": (_I, [_M, ctypes.POINTER(HashIter)]),
    "mapsync_hash_next": (_I, [ctypes.POINTER(HashIter), _V, _V]),
    "mapsync_hash_iter_end": (None, [ctypes.POINTER(HashIter)]),
    "mapsync_read_per_cpu": (_I, [_M, _U32, _V]),
    "mapsync_hash_get_per_cpu": (_I, [_M, _V, _V]),
    "mapsync_hash_next_per_cpu": (_I, [ctypes.POINTER(HashIter), _V, _V]),
    "mapsync_per_cpu_sum": (_I, [_M, _V, _V]),
}


def _candidates():
    env = os.environ.get(ENV)
    if env:  # when set, the only place looked at
        yield "$" + ENV, env
        return
    yield "next to the package", os.path.join(os.path.dirname(os.path.abspath(__file__)), "libmapsync.so")
    yield "the system's library path", ctypes.util.find_library("mapsync") or "libmapsync.so.4"


def load():
    """Loads libmapsync and declares its functions: from $MAPSYNC_LIB when it is set, else next to this package, else
    from the system's library path. Raises LibraryNotFound naming every place it looked and why each failed."""
    tried = []
    for where, path in _candidates():
        if "/" in path and not os.path.exists(path):
            tried.append("%s (%s: no such file)" % (where, path))
            continue
        try:
            lib = ctypes.CDLL(path, use_errno=True)
            for name, (restype, argtypes) in _PROTOTYPES.items():
                fn = getattr(lib, name)
                fn.restype = restype
                fn.argtypes = argtypes
        except OSError as e:
            tried.append("%s (%s: %s)" % (where, path, e))
            continue
        except AttributeError as e:
            tried.append("%s (%s: not libmapsync, or an older one: it has no %s)" % (where, path, str(e).split(": ")[-1]))
            continue
        return lib, path
    raise LibraryNotFound("cannot load libmapsync; looked at " + "; ".join(tried)
                          + ". Install the package with pip (it builds the library), or set " + ENV
                          + " to the path of libmapsync.so (make -C clients/c builds clients/c/build/libmapsync.so)")


LIB, LIB_PATH = load()
