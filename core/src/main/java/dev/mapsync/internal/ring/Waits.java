package dev.mapsync.internal.ring;

import dev.mapsync.MapClosedException;
import dev.mapsync.WaitInterruptedException;
import dev.mapsync.internal.sys.Futex;
import dev.mapsync.internal.sys.SyscallException;
import dev.mapsync.internal.wait.Sleepers;


/**
 * Sleeping on, and waking, the futex words of a ring's control region ({@link Sleepers}: a platform thread sleeps in
 * {@code FUTEX_WAIT}; a virtual thread parks while the process's sleeper thread waits for it).
 * A wait on a ring closed meanwhile (its words unmapped: {@code EFAULT}) ends with {@link MapClosedException}.
 */
final class Waits {
    private Waits() {}

    /** Sleeps while the word at {@code offset} of the control region holds {@code expected}, at most {@code nanos}. */
    static void sleep(RingRegion ring, long offset, int expected, long nanos) {
        checkOpen(ring);
        try {
            Sleepers.await(ring.control().asSlice(offset, 4), expected, System.nanoTime() + nanos, Sleepers.Wake.ALL, null);
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
