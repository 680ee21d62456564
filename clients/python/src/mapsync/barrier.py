"""Barriers (FORMAT.md §9): ``b.await_(timeout)`` (or ``b.wait``) waits until every party has arrived and returns
the generation that tripped. The first await makes the handle a party (a seat, held until close()).
Raises WaitTimeout (the barrier is then broken for the others), BarrierBroken (a party died, timed out, or a reset;
the message says which), NoFreeSlot (every seat is taken by a live party), CorruptMap, MapClosed.
Thread safety: a handle is one party; await from one thread at a time (open a handle per party).
"""
import ctypes
import errno as _errno

from . import _native as n
from .errors import BarrierBroken
from .handle import Handle

_BROKEN = {_errno.EPIPE: BarrierBroken}


class SharedBarrier(Handle):
    """A barrier of ``parties`` parties."""

    @property
    def parties(self):
        return self._m.entries

    def await_(self, timeout=30.0):
        """Waits up to ``timeout`` seconds for the other parties; returns the generation it waited in."""
        generation = ctypes.c_uint64()
        self._check(n.LIB.mapsync_barrier_await(self._handle(), max(0, int(timeout * 1000)), ctypes.byref(generation)),
                    _BROKEN)
        return generation.value

    wait = await_

    def reset(self):
        """Starts a fresh generation, failing whoever waits in the current one, and frees the seats of parties gone."""
        self._check(n.LIB.mapsync_barrier_reset(self._handle()), _BROKEN)
