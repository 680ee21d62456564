package dev.mapsync.internal.wait;

import dev.mapsync.internal.sys.Futex;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Sleeping until a shared 32-bit word changes, for platform and virtual threads alike, at no CPU cost however many
 * threads wait.
 *
 * <p>A platform thread sleeps in {@code FUTEX_WAIT} on the word itself. A virtual thread must not (it would hold
 * its carrier for the whole sleep), so it parks, and one platform thread of the process, the {@link SleeperService},
 * sleeps in {@code futex_waitv} on every word that parked threads wait on and unparks them when their word is woken
 * or no longer holds what they expect.
 *
 * <p>Some waits also depend on something no futex reports: whether a lock's owner or a barrier's party still lives.
 * Rather than each waiter waking every few milliseconds to look, a waiter hands the service a {@link Check}, which
 * the service runs once per interval for each word, for all its waiters; when it fires, the service wakes the word
 * ({@code FUTEX_WAKE}, which also reaches sleepers in other processes) and unparks its parked threads. A waiter is
 * then free to sleep until its own deadline.
 */
public final class Sleepers {
    private Sleepers() {}

    /** The longest a platform thread sleeps before it looks again by itself, should the service be slow to wake it. */
    static final long PLATFORM_SLICE_NANOS = 1_000_000_000L;

    /**
     * Something a wait depends on that no futex reports, and how often the service looks at it. Until
     * {@code watchFrom} ({@link System#nanoTime()}) a platform thread sleeps without the service and looks for itself
     * when it wakes: registering costs the service a wake-up, which a short wait (a contended lock handed over in
     * microseconds) should not pay.
     */
    public record Check(BooleanSupplier fired, long everyNanos, long watchFrom) {}

    /** Who a wake of the word is meant for. */
    public enum Wake {
        /** One waiter: a lock's unlock ({@code FUTEX_WAKE} of 1). */
        ONE,
        /** Every waiter: a change, a trip, room in a ring. */
        ALL
    }

    /**
     * Sleeps while the word holds {@code expected}: until it is woken, until {@code check} fires, or until
     * {@code deadline} ({@link System#nanoTime()}). It may return early; callers look at their condition again and
     * call it again.
     *
     * @param word  the 4-byte word, in a shared mapping
     * @param check null, or what the service looks at for this word's waiters
     */
    public static void await(MemorySegment word, int expected, long deadline, Wake wake, Check check) {
        long now = System.nanoTime();
        long left = deadline - now;
        if (left <= 0) return;
        long early = check == null ? 0 : check.watchFrom() - now;
        if (Thread.currentThread().isVirtual() && SleeperService.INSTANCE != null) {
            // the service's check may fire for an earlier waiter of the word before this one looks for itself: wake
            // at watchFrom too, so that it looks within a slice of its start
            SleeperService.INSTANCE.park(word, expected, early > 0 ? Math.min(deadline, check.watchFrom()) : deadline,
                    wake, check);
        } else if (Thread.currentThread().isVirtual()) {
            // a kernel without futex_waitv: look again now and then, as cheaply as the clock allows
            LockSupport.parkNanos(Math.min(left, 2_000_000));
        } else {
            SleeperService.Watch watch = check == null || early > 0 || SleeperService.INSTANCE == null ? null
                    : SleeperService.INSTANCE.watch(word, check);
            try {
                long slice = early > 0 ? early : watch == null && check != null ? check.everyNanos() : PLATFORM_SLICE_NANOS;
                Futex.await(word.address(), expected, Math.min(left, slice));
            } finally {
                if (watch != null) watch.cancel();
            }
        }
    }
}
