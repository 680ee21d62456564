package dev.mapsync.internal.ring;

import dev.mapsync.MapClosedException;
import dev.mapsync.WaitInterruptedException;
import dev.mapsync.internal.linux.Futex;
import dev.mapsync.internal.linux.SyscallException;

import java.util.concurrent.locks.LockSupport;

/**
 * Sleeping on, and waking, the futex words of a ring's control region. A platform thread sleeps in
 * {@code FUTEX_WAIT}; a virtual thread parks briefly instead, so that it never pins its carrier in the kernel.
 * A wait on a ring closed meanwhile (its words unmapped: {@code EFAULT}) ends with {@link MapClosedException}.
 */
final class Waits {
    private Waits() {}

    private static final long VIRTUAL_PARK_NANOS = 100_000;

    /** Sleeps while the word at {@code offset} of the control region holds {@code expected}, at most {@code nanos}. */
    static void sleep(RingRegion ring, long offset, int expected, long nanos) {
        if (Thread.currentThread().isVirtual()) {
            LockSupport.parkNanos(Math.min(nanos, VIRTUAL_PARK_NANOS));
            return;
        }
        checkOpen(ring);
        try {
            Futex.await(ring.control().address() + offset, expected, nanos);
        } catch (SyscallException e) {
            checkOpen(ring);
            throw e;
        }
    }

    /** Wakes at most {@code count} sleepers on the word at {@code offset}. */
    static void wake(RingRegion ring, long offset, int count) {
        try {
            Futex.wake(ring.control().address() + offset, count);
        } catch (SyscallException e) {
            checkOpen(ring);
            throw e;
        }
    }

    /** Throws if the thread was interrupted (setting its interrupt status again). */
    static void checkInterrupt(RingRegion ring, String what) {
        if (Thread.interrupted()) {
            Thread.currentThread().interrupt();
            throw new WaitInterruptedException("interrupted while " + what);
        }
        checkOpen(ring);
    }

    static void checkOpen(RingRegion ring) {
        if (ring.isClosed()) throw new MapClosedException("ring '" + ring.name() + "' is closed");
    }
}
