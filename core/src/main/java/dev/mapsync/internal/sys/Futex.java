package dev.mapsync.internal.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Process-shared futexes ({@code FUTEX_WAIT}/{@code FUTEX_WAKE} without {@code FUTEX_PRIVATE_FLAG}) on words in
 * shared file mappings. Addresses are passed as plain numbers, not as segments of the map's arena, so that
 * closing the map while a thread waits is not refused; the wait then ends at its timeout, and a wait or wake that
 * comes after the unmapping returns at once.
 */
public final class Futex {
    private Futex() {}

    private static final int FUTEX_WAIT = 0, FUTEX_WAKE = 1;

    /** Why {@link #await} returned. */
    public enum Wake {
        /** Another thread called wake, or the kernel woke spuriously. */
        WOKEN,
        /** The word did not hold the expected value. */
        VALUE_CHANGED,
        TIMED_OUT,
        INTERRUPTED,
        /** The word's memory is gone: its map was closed (unmapped) meanwhile. */
        UNMAPPED
    }

    /**
     * Sleeps while the 32-bit word at {@code address} holds {@code expected}, for at most {@code timeoutNanos}.
     */
    public static Wake await(long address, int expected, long timeoutNanos) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment timespec = arena.allocate(16, 8);
            long t = Math.max(0, timeoutNanos);
            timespec.set(JAVA_LONG, 0, t / 1_000_000_000L);
            timespec.set(JAVA_LONG, 8, t % 1_000_000_000L);
            long r = Native.syscall(Arch.SYS_FUTEX, address, FUTEX_WAIT, expected, timespec.address(), 0, 0);
            if (r == 0) return Wake.WOKEN;
            return switch (Native.errno()) {
                case Errno.EAGAIN -> Wake.VALUE_CHANGED;
                case Errno.ETIMEDOUT -> Wake.TIMED_OUT;
                case Errno.EINTR -> Wake.INTERRUPTED;
                case Errno.EFAULT -> Wake.UNMAPPED;
                default -> throw new SyscallException("futex(FUTEX_WAIT)", Native.errno());
            };
        }
    }

    /**
     * Wakes at most {@code count} threads sleeping on the word at {@code address}; returns how many woke (none when
     * the word's memory is gone: a map closed under the waker, whose next access to it fails as a closed map's).
     */
    public static int wake(long address, int count) {
        long r = Native.syscall(Arch.SYS_FUTEX, address, FUTEX_WAKE, count);
        if (r < 0 && Native.errno() == Errno.EFAULT) return 0;
        return (int) Native.check(r, "futex(FUTEX_WAKE)");
    }
}
