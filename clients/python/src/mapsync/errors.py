"""The exceptions of mapsync, mirroring the Java library's; every one is a MapSyncError.

libmapsync returns a negative errno and a sentence; ``raise_for`` turns the pair into the exception of that
meaning, with the sentence as its message. The errno is kept in ``e.errno``.
"""
import errno as _errno


class MapSyncError(Exception):
    """Anything mapsync raises. ``errno`` is libmapsync's (positive) errno, or None for errors of this package."""

    def __init__(self, message, errno=None):
        super().__init__(message)
        self.errno = errno


class LibraryNotFound(MapSyncError, ImportError):
    """libmapsync could not be loaded; the message says where it was looked for."""


class MapNotFound(MapSyncError, FileNotFoundError):
    """No such map."""


class MapExists(MapSyncError, FileExistsError):
    """A map of that name (or path) exists already: of creators racing for a name, one wins."""


class MapAccessDenied(MapSyncError, PermissionError):
    """The map's file or folder does not let this process in."""


class ReplicaWrite(MapAccessDenied):
    """A write, or a read-write open, of a read replica: open it read-only, and write on the leader."""


class CorruptMap(MapSyncError):
    """Not a complete mapsync map, or shared memory holding words no peer following the format writes."""


class IncompatibleMap(MapSyncError):
    """A newer layout version, or another kind of map than asked for, or a schema the value does not fit."""


class Unsupported(MapSyncError):
    """Something this build of libmapsync cannot do (a bpf map without libbpf)."""


class InvalidValue(MapSyncError, ValueError):
    """A bad argument or a value that does not fit its field."""


class IndexOutOfRange(MapSyncError, IndexError):
    """An index outside 0..len(map)-1."""


class ReadOnlyMap(MapSyncError):
    """A handle opened read-only was asked to lock or write."""


class LockTimeout(MapSyncError, TimeoutError):
    """A lock was not free in time; the message names its owner, alive or dead, and since when it holds it."""


class LockAlreadyHeld(MapSyncError):
    """The calling thread already holds the lock (locks are not re-entrant)."""


class LockNotHeld(MapSyncError):
    """The calling thread released a lock it does not hold."""


class WaitTimeout(MapSyncError, TimeoutError):
    """A wait (for a record, room, a barrier, a live writer) passed its deadline."""


class TornEntry(MapSyncError):
    """An entry a dead writer left half-written; it stays so until a lock owner writes it again."""


class MapClosed(MapSyncError):
    """The handle was closed."""


class MapFull(MapSyncError):
    """A hash map (or the key's segment) has no room for another key."""


class RecordTooLarge(MapSyncError):
    """A record that can never fit in the ring, or is longer than the buffer given."""


class RingSealed(MapSyncError):
    """The ring is sealed: nothing can be put any more, and (when taking) everything was taken."""


class ConsumerBusy(MapSyncError):
    """Another live process is the ring's consumer."""


class BarrierBroken(MapSyncError):
    """The barrier's generation broke: a party died, timed out, or it was reset."""


class NoFreeSlot(MapSyncError):
    """Every process slot (or barrier seat) is taken by a live process."""


_BY_ERRNO = {
    _errno.ENOENT: MapNotFound, _errno.EEXIST: MapExists, _errno.EACCES: MapAccessDenied, _errno.EPERM: MapAccessDenied,
    _errno.EROFS: ReplicaWrite,
    _errno.EBADMSG: CorruptMap, _errno.EPROTO: IncompatibleMap, _errno.EMEDIUMTYPE: IncompatibleMap,
    _errno.ENOTSUP: Unsupported, _errno.EINVAL: InvalidValue, _errno.ERANGE: IndexOutOfRange,
    _errno.EBADF: ReadOnlyMap, _errno.ETIMEDOUT: WaitTimeout, _errno.EDEADLK: LockAlreadyHeld,
    _errno.ENOLCK: LockNotHeld, _errno.ENOTRECOVERABLE: TornEntry, _errno.EUSERS: NoFreeSlot,
    _errno.ENOSPC: MapFull, _errno.EMSGSIZE: RecordTooLarge, _errno.EPIPE: RingSealed, _errno.EBUSY: ConsumerBusy,
}


def error_for(rc, message, overrides=None):
    """The exception for libmapsync's return code ``rc`` (a negative errno) and its sentence."""
    code = -rc
    cls = (overrides or {}).get(code) or _BY_ERRNO.get(code, MapSyncError)
    if not message:
        message = "%s (errno %d)" % (_errno.errorcode.get(code, "?"), code)
    return cls(message, code)
