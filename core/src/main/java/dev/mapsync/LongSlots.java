package dev.mapsync;

import dev.mapsync.internal.notify.ChangeLog;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import static dev.mapsync.internal.sys.Words.LONG;

/**
 * Atomic access to the 64-bit integer slots of a map: its values when they are {@code i64} or {@code u64}, or one
 * naturally aligned 64-bit field of every record value. Obtain one with {@link SharedArray#longs()} or
 * {@link SharedArray#longs(String)}; the slot's alignment and width are checked then, not at the first call.
 *
 * <p>Every operation is one instruction on the shared page (on x86: {@code mov}, {@code lock xadd},
 * {@code lock cmpxchg}, {@code xchg}), the same instructions BPF programs and C's {@code __atomic} builtins use, so
 * all three interoperate. The memory-order names follow {@link java.lang.invoke.VarHandle}: match modes across
 * processes (release with acquire, volatile with volatile). No method allocates.
 *
 * <p>Every write is recorded in the map's change log for its subscribers ({@link SharedArray#changes()}); with no
 * subscriber that costs one load.
 *
 * <p>Unsigned values ({@code u64}) keep their bits: arithmetic wraps around at 64 bits, as C's does.
 *
 * <p>An index outside {@code 0..length-1} throws {@link IndexOutOfRangeException}; a write through a read-only
 * handle throws {@link MapAccessDeniedException}; memory that vanished under the map (its file truncated by another
 * process) throws {@link CorruptMapException}. Nothing is written in those cases.
 *
 * <p><b>Threads.</b> Safe to share between any number of threads: its fields never change, and each operation is one
 * atomic instruction on the shared page (or one plain access, in the plain modes), so threads of one process
 * interleave on it exactly as processes do. It is a view of its handle's mapping, usable while the handle is open
 * (it keeps the handle from being cleaned up meanwhile): once the handle is closed, by any thread, every call throws
 * {@link MapClosedException}, never touching unmapped memory. Each {@link SharedArray#longs()} call makes a new
 * view; keep one.
 */
public final class LongSlots {

    private final SharedArray<?> array;
    private final ChangeLog changes;
    /** The map's subscriber count, held here so that a write checks it one dependent load sooner. */
    private final MemorySegment subscribers;
    private final MemorySegment data;
    private final long stride;
    private final int length;
    private final boolean readOnly;

    LongSlots(SharedArray<?> array, ChangeLog changes, MemorySegment data, long fieldOffset, long stride, int length,
             boolean readOnly) {
        this.array = array;
        this.changes = changes;
        this.subscribers = changes.subscriberWord();
        // starts at the field of value 0, so that an access costs one multiply and nothing more
        this.data = data.asSlice(fieldOffset);
        this.stride = stride;
        this.length = length;
        this.readOnly = readOnly;
    }

    /** {@return the number of slots: the map's entry count} */
    public int length() {
        return length;
    }

    /**
     * The slot's offset, unchecked: the data segment starts at the field of value 0 and ends with the last value, so its
     * own bounds check refuses an index outside {@code 0..length-1} (see {@link #failed}), and no second check is paid.
     */
    private long offset(int index) {
        return index * stride;
    }

    private long writable(int index) {
        if (readOnly) throw array.readOnlyWrite();
        return offset(index);
    }

    /** Records a change of slot {@code index} for the map's subscribers, if there are any. */
    private void record(int index, int kind) {
        if (ChangeLog.anySubscriber(subscribers)) changes.append(index, kind);
    }

    /** The exception to throw for a failed segment access: an index out of range, a closed map, vanished memory. */
    private RuntimeException failed(Throwable e, int index) {
        if (e instanceof IndexOutOfBoundsException) return array.outOfRange(index);
        return array.closedOr(e);
    }

    /*
     * faultsSafely: a compare-and-set (or exchange) is preceded by a plain load of the slot, whose result is unused.
     * Compiled, the load costs nothing (the JIT drops it). Interpreted, it is the JVM's guarded load: if the page
     * vanished under the map (another process shrank its file), the load raises InternalError, where the
     * interpreter's compare-and-set, which the JVM does not guard, would crash the process.
     */

    /**
     * Reads with volatile semantics (the same as {@link #getVolatile}).
     *
     * @param index the slot
     * @return its value
     */
    public long get(int index) {
        return getVolatile(index);
    }

    /**
     * Reads with plain semantics: no ordering with other accesses (still never torn: the slot is aligned).
     *
     * @param index the slot
     * @return its value
     */
    public long getPlain(int index) {
        try {
            return (long) LONG.get(data, offset(index));
        } catch (IllegalStateException | IndexOutOfBoundsException | InternalError e) {
            throw failed(e, index);
        }
    }

    /**
     * Reads with opaque semantics: a fresh read of the memory, unordered with other slots.
     *
     * @param index the slot
     * @return its value
     */
    public long getOpaque(int index) {
        try {
            return (long) LONG.getOpaque(data, offset(index));
        } catch (IllegalStateException | IndexOutOfBoundsException | InternalError e) {
            throw failed(e, index);
        }
    }

    /**
     * Reads with acquire semantics: later accesses of this thread are not reordered before it (pairs with
     * {@link #setRelease}).
     *
     * @param index the slot
     * @return its value
     */
    public long getAcquire(int index) {
        try {
            return (long) LONG.getAcquire(data, offset(index));
        } catch (IllegalStateException | IndexOutOfBoundsException | InternalError e) {
            throw failed(e, index);
        }
    }

    /**
     * Reads with volatile semantics: sequentially consistent with the other volatile accesses.
     *
     * @param index the slot
     * @return its value
     */
    public long getVolatile(int index) {
        try {
            return (long) LONG.getVolatile(data, offset(index));
        } catch (IllegalStateException | IndexOutOfBoundsException | InternalError e) {
            throw failed(e, index);
        }
    }

    /**
     * Writes with volatile semantics (the same as {@link #setVolatile}).
     *
     * @param index the slot
     * @param value the value to write
     */
    public void set(int index, long value) {
        setVolatile(index, value);
    }

    /**
     * Writes with plain semantics: no ordering with other accesses.
     *
     * @param index the slot
     * @param value the value to write
     */
    public void setPlain(int index, long value) {
        try {
            LONG.set(data, writable(index), value);
            record(index, ChangeLog.KIND_WRITE);
        } catch (IllegalStateException | IndexOutOfBoundsException | InternalError e) {
            throw failed(e, index);
        }
    }

    /**
     * Writes with opaque semantics: the write reaches the memory, unordered with other slots.
     *
     * @param index the slot
     * @param value the value to write
     */
    public void setOpaque(int index, long value) {
        try {
            LONG.setOpaque(data, writable(index), value);
            record(index, ChangeLog.KIND_WRITE);
        } catch (IllegalStateException | IndexOutOfBoundsException | InternalError e) {
            throw failed(e, index);
        }
    }

    /**
     * Writes with release semantics: earlier accesses of this thread are not reordered after it (pairs with
     * {@link #getAcquire}).
     *
     * @param index the slot
     * @param value the value to write
     */
    public void setRelease(int index, long value) {
        try {
            LONG.setRelease(data, writable(index), value);
            record(index, ChangeLog.KIND_WRITE);
        } catch (IllegalStateException | IndexOutOfBoundsException | InternalError e) {
            throw failed(e, index);
        }
    }

    /**
     * Writes with volatile semantics: sequentially consistent with the other volatile accesses.
     *
     * @param index the slot
     * @param value the value to write
     */
    public void setVolatile(int index, long value) {
        try {
            LONG.setVolatile(data, writable(index), value);
            record(index, ChangeLog.KIND_WRITE);
        } catch (IllegalStateException | IndexOutOfBoundsException | InternalError e) {
            throw failed(e, index);
        }
    }

    /**
     * Sets the slot to {@code update} if it holds {@code expected}, atomically (volatile semantics).
     *
     * @param index    the slot
     * @param expected the value the slot must hold
     * @param update   the value to write
     * @return true if the slot held {@code expected} and now holds {@code update}
     */
    public boolean compareAndSet(int index, long expected, long update) {
        try {
            long at = writable(index);
            long unused = (long) LONG.get(data, at); // see faultsSafely
            boolean swapped = LONG.compareAndSet(data, at, expected, update);
            if (swapped) record(index, ChangeLog.KIND_ATOMIC);
            return swapped;
        } catch (IllegalStateException | IndexOutOfBoundsException | InternalError e) {
            throw failed(e, index);
        }
    }

    /**
     * Sets the slot to {@code update} if it holds {@code expected}, atomically (volatile semantics).
     *
     * @param index    the slot
     * @param expected the value the slot must hold
     * @param update   the value to write
     * @return the value the slot held (the witness): {@code expected} if it was swapped
     */
    public long compareAndExchange(int index, long expected, long update) {
        try {
            long at = writable(index);
            long unused = (long) LONG.get(data, at); // see faultsSafely
            long witness = (long) LONG.compareAndExchange(data, at, expected, update);
            if (witness == expected) record(index, ChangeLog.KIND_ATOMIC);
            return witness;
        } catch (IllegalStateException | IndexOutOfBoundsException | InternalError e) {
            throw failed(e, index);
        }
    }

    /**
     * Adds {@code delta}, atomically (volatile semantics).
     *
     * @param index the slot
     * @param delta what to add (negative to subtract)
     * @return the value before
     */
    public long getAndAdd(int index, long delta) {
        try {
            long previous = (long) LONG.getAndAdd(data, writable(index), delta);
            record(index, ChangeLog.KIND_ATOMIC);
            return previous;
        } catch (IllegalStateException | IndexOutOfBoundsException | InternalError e) {
            throw failed(e, index);
        }
    }

    /**
     * Adds {@code delta}, atomically (volatile semantics).
     *
     * @param index the slot
     * @param delta what to add (negative to subtract)
     * @return the value after
     */
    public long addAndGet(int index, long delta) {
        try {
            long updated = (long) LONG.getAndAdd(data, writable(index), delta) + delta;
            record(index, ChangeLog.KIND_ATOMIC);
            return updated;
        } catch (IllegalStateException | IndexOutOfBoundsException | InternalError e) {
            throw failed(e, index);
        }
    }

    /**
     * Writes {@code value}, atomically (volatile semantics).
     *
     * @param index the slot
     * @param value the value to write
     * @return the value before
     */
    public long getAndSet(int index, long value) {
        try {
            long previous = (long) LONG.getAndSet(data, writable(index), value);
            record(index, ChangeLog.KIND_ATOMIC);
            return previous;
        } catch (IllegalStateException | IndexOutOfBoundsException | InternalError e) {
            throw failed(e, index);
        }
    }
}
