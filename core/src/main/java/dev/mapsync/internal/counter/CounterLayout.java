package dev.mapsync.internal.counter;

import dev.mapsync.CorruptMapException;
import dev.mapsync.MapType;
import dev.mapsync.internal.store.Blueprint;
import dev.mapsync.internal.store.ControlLayout;
import dev.mapsync.internal.store.Header;
import dev.mapsync.internal.sys.Arch;
import dev.mapsync.internal.sys.Proc;

/**
 * The layout of a counter map (type {@code COUNTER}): {@code count} signed 64-bit counters, each kept as one cell per
 * process slot; a counter's value is the sum of its cells. A read-write handle adds only into the cells of the
 * process slot it holds, so handles in different processes never write the same cache line.
 *
 * <pre>
 * offset (from the control region start)  size   field
 *      0                                    256    reserved, zero
 *    256                                    32768  process slots (see ProcessSlots)
 *  33024                                    128    used bitmap: 16 little-endian u64 words; bit (s % 64) of word
 *                                                  (s / 64) is set (never cleared) once a handle has held slot s,
 *                                                  before it adds into that slot's block
 *  33152                                    8      used summary: bit w set (never cleared) once word w of the
 *                                                  bitmap has a bit set, after that bit
 *  33160                                    ...    zero up to the page-aligned control length (36864)
 *
 * offset (from the data region start)     size
 *      0                                    1024 x stride  cell blocks: block s (of slot s) at s * stride holds
 *                                                  counter i's cell of slot s at + 8 * i (i64, little-endian)
 * </pre>
 * {@code stride} is {@code 8 * count} rounded up to 128 bytes, so that no two slots' cells share a cache line, nor a
 * pair of adjacent lines (which x86 cores fetch together).
 *
 * <p>Header fields for counters: key size 0; value size 8; stride the block stride; entries the count; lock stripes
 * and changelog capacity 0; control region at {@value Header#SIZE} of {@value #CONTROL_LENGTH} bytes; data region
 * right after it, of {@code 1024 * stride} bytes; value schema {@code i64}, no key schema; shm only.
 */
public final class CounterLayout {
    private CounterLayout() {}

    /** The most counters a counter map holds (its file is then 8 MiB and 44 KiB). */
    public static final int MAX_COUNT = 1024;
    public static final long USED = ControlLayout.SLOTS + ControlLayout.SLOT_COUNT * ControlLayout.SLOT_SIZE;
    public static final int USED_WORDS = ControlLayout.SLOT_COUNT / 64;
    public static final long SUMMARY = USED + USED_WORDS * 8L;
    public static final long CONTROL_LENGTH = Arch.pageAlign(SUMMARY + 8);
    public static final long BLOCK_ALIGN = 128;
    public static final String VALUE_SCHEMA = "i64";

    /** The bytes of one slot's block of {@code count} cells. */
    public static long stride(int count) {
        return (count * 8L + BLOCK_ALIGN - 1) / BLOCK_ALIGN * BLOCK_ALIGN;
    }

    public static long dataOffset() {
        return Header.SIZE + CONTROL_LENGTH;
    }

    public static long dataLength(int count) {
        return ControlLayout.SLOT_COUNT * stride(count);
    }

    /** The header of a new counter map made from {@code spec}. */
    public static Header header(Blueprint spec) {
        int count = spec.entries();
        java.time.Instant now = java.time.Instant.now();
        long data = dataOffset(), length = dataLength(count);
        return new Header(Header.VERSION, MapType.COUNTER.code(), Header.BACKEND_SHM, 0, 8, (int) stride(count), count,
                Proc.PID, Proc.START_TIME, now.getEpochSecond() * 1_000_000_000L + now.getNano(), Header.SIZE,
                CONTROL_LENGTH, data, length, data + length, 0, 0, Proc.PID_NAMESPACE, "", VALUE_SCHEMA, 0);
    }

    /** Checks a counter header's geometry (not its file length against the file). */
    public static void checkGeometry(Header h, String where) {
        if (h.backend() != Header.BACKEND_SHM) throw new CorruptMapException(where + "a counter map lives in shared memory only");
        if (h.keySize() != 0 || h.valueSize() != 8 || h.lockStripes() != 0 || h.changelogCapacity() != 0) {
            throw new CorruptMapException(where + "a counter map has no keys, lock stripes or changelog, and values of 8"
                    + " bytes (key size " + h.keySize() + ", value size " + h.valueSize() + ", lock stripes "
                    + h.lockStripes() + ", changelog capacity " + h.changelogCapacity() + ")");
        }
        if (h.entries() < 1 || h.entries() > MAX_COUNT) {
            throw new CorruptMapException(where + "count " + h.entries() + " not in 1.." + MAX_COUNT);
        }
        if (h.stride() != stride(h.entries())) {
            throw new CorruptMapException(where + "cell block stride " + h.stride() + " for " + h.entries()
                    + " counters, expected " + stride(h.entries()));
        }
        if (h.controlOffset() != Header.SIZE || h.controlLength() != CONTROL_LENGTH) {
            throw new CorruptMapException(where + "control region at " + h.controlOffset() + " of " + h.controlLength() + " bytes");
        }
        if (h.dataOffset() != dataOffset() || h.dataLength() != dataLength(h.entries())) {
            throw new CorruptMapException(where + "data region at " + h.dataOffset() + " of " + h.dataLength() + " bytes");
        }
        long expectedFile = h.dataOffset() + h.dataLength();
        if (h.fileLength() != expectedFile) {
            throw new CorruptMapException(where + "file length field " + h.fileLength() + ", expected " + expectedFile);
        }
    }

    public static void checkSchema(Header h, String where) {
        if (!h.keySchema().isEmpty() || !h.valueSchema().equals(VALUE_SCHEMA)) {
            throw new CorruptMapException(where + "a counter map has value schema i64 and no key schema, not '"
                    + h.keySchema() + "' -> '" + h.valueSchema() + "'");
        }
    }
}
