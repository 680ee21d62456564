package dev.mapsync.internal.sync;

import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

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
 *     28    4 writing: index + 1 of the entry being written; 0 = none
 *     32   16 torn: four slots of index + 1 of entries a dead writer left half-written; 0 = empty;
 *             0xFFFFFFFF in the first slot = every entry of the stripe
 *     48    4 recovered: 1 while the owner is one that took the lock over from a dead owner
 *     52   12 reserved, zero
 * </pre>
 */
final class LockRecord {
    private LockRecord() {}

    static final long WORD = 0, PID = 4, THREAD = 8, SINCE = 16, SEQ = 24, WRITING = 28, TORN = 32, RECOVERED = 48;
    static final int TORN_SLOTS = 4;
    static final int ALL_TORN = 0xFFFF_FFFF;

    static final int WAITERS = 0x8000_0000;
    static final int TOKEN_MASK = 0x3FFF_FFFF;

    static final VarHandle INT = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
    static final VarHandle LONG = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
}
