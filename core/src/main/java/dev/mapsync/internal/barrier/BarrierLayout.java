package dev.mapsync.internal.barrier;

import dev.mapsync.internal.store.Blueprint;
import dev.mapsync.internal.store.ControlLayout;
import dev.mapsync.internal.store.Header;
import dev.mapsync.CorruptMapException;
import dev.mapsync.MapType;
import dev.mapsync.internal.sys.Arch;
import dev.mapsync.internal.sys.Proc;

/**
 * The layout of a barrier map (type {@code BARRIER}): a control region and no data region. Barriers live in
 * shared memory only, since their waiters sleep in {@code FUTEX_WAIT} on it.
 *
 * <pre>
 * offset (from the control region start)  size         field
 *      0                                    256          reserved, zero
 *    256                                    32768        process slots (see ProcessSlots)
 *  33024                                    128          state line: +0 u64 state word (below)
 *  33152                                    128          wake line: +0 u32 futex word, +1 at every trip, break and reset
 *  33280                                    128          break record: +0 u32 generation that broke; +4 u32 why
 *                                                        (1 a party died, 2 a party timed out, 3 reset); +8 u32 pid
 *                                                        of that party (or of the resetting process); +16 u64 when,
 *                                                        milliseconds since the epoch; +24 u32 parties that waited;
 *                                                        +28 u32 last generation that tripped, plus one (0 = none)
 *  33408                                    parties x 16 seats: +0 u32 owner token of the party (0 = free);
 *                                                        +4 u32 its pid; +8 u64 joined at, ms since the epoch
 * </pre>
 * The state word: bits 32..63 the generation; bit 31 broken; bit 30 the previous generation tripped (all parties
 * came); bits 0..29 the parties that arrived in this generation.
 *
 * <p>Header fields for barriers: key size, value size and stride 0; entries the number of parties; lock
 * stripes and changelog capacity 0; data offset and length 0; no schema texts.
 */
public final class BarrierLayout {
    private BarrierLayout() {}

    public static final long STATE = 33024;
    public static final long WAKE = 33152;
    public static final long BROKEN_GENERATION = 33280, BROKEN_WHY = BROKEN_GENERATION + 4, BROKEN_PID = BROKEN_GENERATION + 8,
            BROKEN_AT = BROKEN_GENERATION + 16, BROKEN_WAITING = BROKEN_GENERATION + 24, LAST_TRIPPED = BROKEN_GENERATION + 28;
    public static final long SEATS = 33408;
    public static final long SEAT_SIZE = 16;

    public static final int WHY_DIED = 1, WHY_TIMED_OUT = 2, WHY_RESET = 3;

    public static final long BROKEN_BIT = 1L << 31;
    public static final long TRIPPED_BIT = 1L << 30;
    public static final long COUNT_MASK = TRIPPED_BIT - 1;

    /** The most parties a barrier may have (the number of process slots). */
    public static final int MAX_PARTIES = ControlLayout.SLOT_COUNT;

    /** The length of the control region of a barrier of {@code parties}. */
    public static long controlLength(int parties) {
        return Arch.pageAlign(SEATS + parties * SEAT_SIZE);
    }

    /** The offset of seat {@code i} in the control region. */
    public static long seat(int i) {
        return SEATS + i * SEAT_SIZE;
    }

    /** The header of a new barrier made from {@code spec}. */
    public static Header header(Blueprint spec) {
        long control = controlLength(spec.entries());
        java.time.Instant now = java.time.Instant.now();
        return new Header(Header.VERSION, MapType.BARRIER.code(), Header.BACKEND_SHM, 0, 0, 0, spec.entries(), Proc.PID,
                Proc.START_TIME, now.getEpochSecond() * 1_000_000_000L + now.getNano(), Header.SIZE, control, 0, 0,
                Header.SIZE + control, 0, 0, Proc.PID_NAMESPACE, "", "", 0);
    }

    /** Checks a barrier header's geometry (not its file length against the file). */
    public static void checkGeometry(Header h, String where) {
        if (h.backend() != Header.BACKEND_SHM) throw new CorruptMapException(where + "a barrier lives in shared memory only");
        if (h.keySize() != 0 || h.valueSize() != 0 || h.stride() != 0 || h.lockStripes() != 0 || h.changelogCapacity() != 0) {
            throw new CorruptMapException(where + "a barrier has no keys, values, lock stripes or changelog");
        }
        if (h.entries() < 1 || h.entries() > MAX_PARTIES) {
            throw new CorruptMapException(where + "parties " + h.entries() + " not in 1.." + MAX_PARTIES);
        }
        if (h.controlOffset() != Header.SIZE || h.controlLength() != controlLength(h.entries())) {
            throw new CorruptMapException(where + "control region at " + h.controlOffset() + " of " + h.controlLength() + " bytes");
        }
        if (h.dataOffset() != 0 || h.dataLength() != 0) {
            throw new CorruptMapException(where + "data region at " + h.dataOffset() + " of " + h.dataLength() + " bytes");
        }
        long expectedFile = h.controlOffset() + h.controlLength();
        if (h.fileLength() != expectedFile) {
            throw new CorruptMapException(where + "file length field " + h.fileLength() + ", expected " + expectedFile);
        }
    }

    public static void checkSchema(Header h, String where) {
        if (!h.keySchema().isEmpty() || !h.valueSchema().isEmpty()) throw new CorruptMapException(where + "a barrier has no schema");
    }
}
