"""Rings (records of any length: bytes) and queues (rings of values of the stored schema), FORMAT.md §7; on the bpf
backend (§8) a kernel ring buffer, which this process consumes (BPF programs produce), or a user ring, which it
produces into (a BPF program drains it): the other role raises MapAccessDenied.

Producers: ``put(value, timeout)`` waits for room (WaitTimeout when none came), ``offer(value)`` returns False when
the ring is full; both raise RingSealed once the ring is sealed, RecordTooLarge for a record that can never fit.
The one consumer: the first ``take``/``poll`` makes this handle the ring's consumer (ConsumerBusy while another live
process is); ``take(timeout)`` waits for a record (WaitTimeout), ``poll()`` returns None when there is none;
both raise RingSealed once the ring is sealed and drained. Iterating takes records until the ring is sealed and
drained. Records of producers that died before committing them are skipped (counted in ``lost``).
Thread safety: producers may put from several threads at once; the consumer role is the handle's, for one thread
at a time.
"""
import ctypes
import errno as _errno
import threading

from . import _native as n
from .errors import WaitTimeout
from .handle import FOREVER_STEP_MS, Handle
from .schema import Schema

_FULL = {_errno.EAGAIN: WaitTimeout}


class SharedRing(Handle):
    """A ring of raw records: bytes in, bytes out."""

    def __init__(self, raw, name, tuples=False):
        super().__init__(raw, name)
        self._consumer = None
        self._consumer_lock = threading.Lock()
        self._buffer = ctypes.create_string_buffer(4096)

    @property
    def capacity(self):
        """The ring's capacity in bytes (the header's; libmapsync maps an shm ring's data twice in a row, so its
        data_length is twice this)."""
        return self._m.entries

    def _encode(self, value):
        return bytes(value)

    def _decode(self, data):
        return data

    def _produce(self, value, ms):
        data = self._encode(value)
        claim = n.Claim()
        rc = n.LIB.mapsync_ring_claim(self._handle(), len(data), ms, ctypes.byref(claim))
        if rc < 0:
            return rc
        try:
            ctypes.memmove(claim.payload, data, len(data))
        except BaseException:  # (an interrupt) the consumer waits for every claim: give this one up
            n.LIB.mapsync_ring_discard(self._handle(), ctypes.byref(claim))
            raise
        return self._check(n.LIB.mapsync_ring_commit(self._handle(), ctypes.byref(claim)))

    def put(self, value, timeout=None):
        """Appends a record, waiting up to ``timeout`` seconds for room (None: as long as it takes)."""
        if timeout is None:
            while True:
                rc = self._produce(value, FOREVER_STEP_MS)
                if rc != -_errno.EAGAIN:
                    self._check(rc)
                    return
        self._check(self._produce(value, max(0, int(timeout * 1000))), _FULL)

    def offer(self, value):
        """Appends a record if there is room now: True, or False when the ring is full."""
        rc = self._produce(value, 0)
        if rc == -_errno.EAGAIN:
            return False
        self._check(rc)
        return True

    def seal(self):
        """Seals the ring: no put succeeds after it; the consumer takes what was put before."""
        self._check(n.LIB.mapsync_ring_seal(self._handle()))

    def _become_consumer(self):
        with self._consumer_lock:
            if self._consumer is None:
                c = n.Consumer()
                self._check(n.LIB.mapsync_consumer_open(self._handle(), ctypes.byref(c)))
                self._consumer = c
            return self._consumer

    def _consume(self, ms):
        c = self._become_consumer()
        length = ctypes.c_uint32()
        while True:
            rc = n.LIB.mapsync_consume(ctypes.byref(c), self._buffer, len(self._buffer), ctypes.byref(length), ms)
            if rc == -_errno.EMSGSIZE and length.value > len(self._buffer):
                self._buffer = ctypes.create_string_buffer(length.value)
                continue
            return rc, self._buffer.raw[:length.value]

    def take(self, timeout=None):
        """The next record, waiting up to ``timeout`` seconds (None: as long as it takes)."""
        self._handle()
        while True:
            rc, data = self._consume(FOREVER_STEP_MS if timeout is None else max(0, int(timeout * 1000)))
            if rc == -_errno.ETIMEDOUT and timeout is None:
                continue
            self._check(rc)
            return self._decode(data)

    def poll(self):
        """The next record if one is there now, else None."""
        rc, data = self._consume(0)
        if rc == -_errno.ETIMEDOUT:
            return None
        self._check(rc)
        return self._decode(data)

    def __iter__(self):
        from .errors import RingSealed
        while True:
            try:
                yield self.take()
            except RingSealed:
                return

    @property
    def lost(self):
        """Records this consumer skipped because their producer died before committing them."""
        return self._consumer.lost if self._consumer is not None else 0

    def _release(self):
        if self._consumer is not None:
            n.LIB.mapsync_consumer_close(ctypes.byref(self._consumer))
            self._consumer = None


class SharedQueue(SharedRing):
    """A queue: a ring whose records are values of the stored schema (dicts, or the one type's value)."""

    def __init__(self, raw, name, tuples=False):
        super().__init__(raw, name)
        self.schema = Schema(self.value_schema, tuples)

    @property
    def value_type(self):
        """The named tuple type of values of fields (what a handle opened with tuples=True reads), else None."""
        return self.schema.value_type

    def _encode(self, value):
        return self.schema.encode(value).raw[:self._m.value_size]

    def _decode(self, data):
        return self.schema.decode(data)
