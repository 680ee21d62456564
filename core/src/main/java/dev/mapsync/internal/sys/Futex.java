package dev.mapsync.internal.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Process-shared futexes ({@code FUTEX_WAIT}/{@code FUTEX_WAKE} without {@code FUTEX_PRIVATE_FLAG}) on words in
 * shared file mappings. Addresses are passed as plain numbers, not as segments of the map's arena, so that
 * closing the map while a thread waits is not refused; the wait then ends at its timeout.
 */
public final class Futex {
    private Futex() {}

    private static final int FUTEX_WAIT = 0, FUTEX_WAKE = 1;

    private static final MethodHandle SYSCALL = Native.errnoCall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT),
            Linker.Option.firstVariadicArg(1));

    /** Why {@link #await} returned. */
    public enum Wake {
        /** Another thread called wake, or the kernel woke spuriously. */
        WOKEN,
        /** The word did not hold the expected value. */
        VALUE_CHANGED,
        TIMED_OUT,
        INTERRUPTED
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
            long r = (long) SYSCALL.invokeExact(Native.capture(), Arch.SYS_FUTEX, MemorySegment.ofAddress(address),
                    FUTEX_WAIT, expected, timespec, MemorySegment.NULL, 0);
            if (r == 0) return Wake.WOKEN;
            return switch (Native.errno()) {
                case Errno.EAGAIN -> Wake.VALUE_CHANGED;
                case Errno.ETIMEDOUT -> Wake.TIMED_OUT;
                case Errno.EINTR -> Wake.INTERRUPTED;
                default -> throw new SyscallException("futex(FUTEX_WAIT)", Native.errno());
            };
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Wakes at most {@code count} threads sleeping on the word at {@code address}; returns how many woke. */
    public static int wake(long address, int count) {
        try {
            long r = (long) SYSCALL.invokeExact(Native.capture(), Arch.SYS_FUTEX, MemorySegment.ofAddress(address),
                    FUTEX_WAKE, count, MemorySegment.NULL, MemorySegment.NULL, 0);
            if (r < 0) throw new SyscallException("futex(FUTEX_WAKE)", Native.errno());
            return (int) r;
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
