package dev.mapsync.internal.lock;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import static dev.mapsync.internal.sys.Words.INT;
import static dev.mapsync.internal.sys.Words.LONG;

/**
 * The 64-byte record of one lock (a stripe's, or the map-wide one) in the control region; one cache line, so
 * that locks of different stripes never share a line.
 *
 * <pre>
 * offset size field
 *      0    4 lock word, the futex: 0 = free; bits 0..29 = owner token (see ProcessSlots); bit 31 = waiters sleep
 *      4    4 owner pid, in the owner's pid namespace (for messages)
 *      8    8 owner's Java thread id (to refuse re-locking by the same thread)
 *     16    8 held since, milliseconds since the epoch; 0 = not recorded (see LockInfo#heldSince)
 *     24    4 sequence: even when no write is in progress; a writer makes it odd, writes, makes it even
 *     28    4 writing: index + 1 of the entry being written while the sequence is odd; while it is even,
 *             0xFFFFFFFF if the torn list is not empty, else 0 (so one 8-byte load of sequence and writing tells a
 *             reader whether the stripe can be read the quick way)
 *     32   16 torn: four slots of index + 1 of entries a dead writer left half-written; 0 = empty;
 *             0xFFFFFFFF in the first slot = every entry of the stripe
 *     48    4 recovered: 1 while the owner is one that took the lock over from a dead owner
 *     52   12 reserved, zero
 * </pre>
 */
public final class LockRecord {
    private LockRecord() {}

    public static final long WORD = 0, PID = 4, THREAD = 8, SINCE = 16, SEQ = 24, WRITING = 28, TORN = 32, RECOVERED = 48;
    static final int TORN_SLOTS = 4;
    static final int ALL_TORN = 0xFFFF_FFFF;
    /** The writing word while the sequence is even and the stripe holds a torn entry. */
    static final int TORN_PRESENT = 0xFFFF_FFFF;

    static final int WAITERS = 0x8000_0000;
    public static final int TOKEN_MASK = 0x3FFF_FFFF;


    /**
     * Ends a write window of record {@code rec}: stores the even sequence {@code even} and the writing word it goes
     * with, in one 8-byte release store, so that no reader sees the one without the other.
     */
    public static void endWindow(MemorySegment control, long rec, int even) {
        int writing = (int) INT.get(control, rec + TORN) != 0 ? TORN_PRESENT : 0;
        LONG.setRelease(control, rec + SEQ, (long) writing << 32 | Integer.toUnsignedLong(even));
    }
}
