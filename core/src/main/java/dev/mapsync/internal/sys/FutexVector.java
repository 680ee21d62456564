package dev.mapsync.internal.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code futex_waitv(2)} (Linux 5.16): one thread sleeps on up to {@value #MAX} futex words at once and learns which
 * one was woken. The words are process-shared 32-bit futexes, as {@link Futex} uses, except those marked private.
 *
 * <pre>
 * struct futex_waitv (24 bytes)
 * offset size field
 *      0    8 val: the value the word must hold for the thread to sleep
 *      8    8 uaddr: the word's address
 *     16    4 flags: FUTEX2_SIZE_U32 (0x02), | FUTEX2_PRIVATE (0x80) for a word of this process only
 *     20    4 reserved, 0
 * </pre>
 * Confined: one vector belongs to the thread that made it, the one that waits.
 */
public final class FutexVector implements AutoCloseable {
    public static final int MAX = 128;
    private static final long ENTRY = 24;
    private static final int FUTEX2_SIZE_U32 = 0x02, FUTEX2_PRIVATE = 0x80;
    private static final int CLOCK_MONOTONIC = 1;

    /** What {@link #await} returns when no word was woken. */
    public static final int VALUE_CHANGED = -1, TIMED_OUT = -2, INTERRUPTED = -3, FAULT = -4;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment entries = arena.allocate(ENTRY * MAX, 8);
    private final MemorySegment timespec = arena.allocate(16, 8);
    private int size;

    /** Forgets every word. */
    public void clear() {
        size = 0;
    }

    public int size() {
        return size;
    }

    /**
     * Adds the word at {@code address}: the thread sleeps only while it holds {@code expected}.
     *
     * @return its index, which {@link #await} returns when it is woken
     */
    public int add(long address, int expected, boolean privateWord) {
        if (size == MAX) throw new IllegalStateException("a futex vector holds at most " + MAX + " words");
        long e = size * ENTRY;
        entries.set(JAVA_LONG, e, Integer.toUnsignedLong(expected));
        entries.set(JAVA_LONG, e + 8, address);
        entries.set(JAVA_INT, e + 16, FUTEX2_SIZE_U32 | (privateWord ? FUTEX2_PRIVATE : 0));
        entries.set(JAVA_INT, e + 20, 0);
        return size++;
    }

    /**
     * Sleeps until one of the words is woken, or {@code deadline} ({@link System#nanoTime()}, which is
     * {@code CLOCK_MONOTONIC}) passes.
     *
     * @return the index of the word woken, or {@link #VALUE_CHANGED} (a word did not hold its value),
     *         {@link #TIMED_OUT}, {@link #INTERRUPTED}, {@link #FAULT} (a word's address is not mapped any more)
     * @throws SyscallException for any other failure ({@code ENOSYS} on a kernel before 5.16)
     */
    public int await(long deadline) {
        timespec.set(JAVA_LONG, 0, deadline / 1_000_000_000L);
        timespec.set(JAVA_LONG, 8, deadline % 1_000_000_000L);
        long r = Native.syscall(Arch.SYS_FUTEX_WAITV, entries.address(), size, 0, timespec.address(), CLOCK_MONOTONIC,
                0);
        if (r >= 0) return (int) r;
        return switch (Native.errno()) {
            case Errno.EAGAIN -> VALUE_CHANGED;
            case Errno.ETIMEDOUT -> TIMED_OUT;
            case Errno.EINTR -> INTERRUPTED;
            case Errno.EFAULT -> FAULT;
            default -> throw new SyscallException("futex_waitv", Native.errno());
        };
    }

    /** True if this kernel has {@code futex_waitv}: a word that does not hold the value given is refused at once. */
    public static boolean supported() {
        try (FutexVector v = new FutexVector()) {
            MemorySegment word = v.arena.allocate(4, 4);
            v.add(word.address(), 1, true);
            return v.await(0) == VALUE_CHANGED;
        } catch (SyscallException e) {
            return false;
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
