package dev.mapsync.internal.hash;

import dev.mapsync.internal.sys.Layouts;
import dev.mapsync.internal.sys.Arch;

import java.lang.foreign.MemorySegment;

/**
 * The data region of an shm hash map: a table header, the live-entry count of every segment, then the segments.
 * A segment is a lock stripe's own open-addressing table: a key lives in exactly one segment (chosen by its hash)
 * and is found by linear probing inside it, so every operation on a key takes one lock and reads one sequence word.
 *
 * <pre>
 * data region
 * offset              size                   content
 *      0                64                   table header
 *     64                segments x 4         live entries of each segment (u32), segment g at 64 + 4g
 *     segmentsOffset    segments x segSize   the segments, each 64-byte aligned
 *
 * table header
 *      0    8 hash seed (random, chosen when the map is made)
 *      8    4 segments
 *     12    4 slots per segment
 *     16    4 slot size
 *     20    4 segment header size
 *     24    8 segment size
 *     32    8 segments offset (from the start of the data region)
 *     40    8 entries hint: +1 after each insert, -1 after each delete (a hint: a writer killed between closing
 *             its window and this add leaves it off by one; inserts near the capacity count exactly, and correct it)
 *     48   16 reserved, zero
 *
 * segment (segSize bytes): a header of segHeader bytes, then slotsPerSegment slots of slotSize bytes
 *      0    4 seq: even when no write window is open, odd while one is (the readers' sequence word)
 *      4    4 tombstones: slots a cut-short delete left as tombstones (0 unless a writer died)
 *      8    4 journal tag: the odd seq of the window the journal below belongs to
 *     12    4 journal flags: 1 = the value image holds slot A's old value, 2 = the window clears the segment
 *     16    4 journal slot A + 1 (0 = none)
 *     20    4 journal: slot A's meta before the window
 *     24    4 journal slot B + 1 (0 = none)
 *     28    4 journal: slot B's meta before the window
 *     32    4 journal: the segment's live count before the window
 *     36    4 journal: the segment's tombstones before the window
 *     40   24 reserved, zero
 *     64    V value image: slot A's value before the window (V = value stride)
 *
 * slot (slotSize = 8 + key stride + value stride bytes)
 *      0    4 meta: 0 = empty, 1 = tombstone, (tag &lt;&lt; 2) | 2 = occupied (tag: 30 bits of the key's hash)
 *      4    4 home: the slot the key's hash points at (probing starts there)
 *      8    K key (key stride = key size rounded up to 8; padding zero)
 *    8+K    V value (value stride = value size rounded up to 8; padding zero)
 * </pre>
 *
 * <p>Sizing: a map of capacity {@code C} in {@code G} segments expects {@code λ = C / G} keys per segment and gives
 * each segment {@code ceil(2λ + 6√λ + 8)} slots (rounded up to 8). A segment then overflows before the map holds
 * {@code C} keys only if {@code C} random keys put more than that many into one segment, a Poisson tail below
 * {@code 1e-14} for every {@code λ}; the map is full when it holds {@code C} entries, which an insert checks by
 * summing the segments' counts whenever the entries hint is near {@code C}.
 */
public final class HashLayout {
    public static final long TABLE_HEADER = 64;
    public static final long SEED = 0, SEGMENTS = 8, SLOTS = 12, SLOT_SIZE = 16, SEGMENT_HEADER = 20,
            SEGMENT_SIZE = 24, SEGMENTS_OFFSET = 32, ENTRIES_HINT = 40;

    /** Segment header fields. */
    public static final long SEQ = 0, TOMBSTONES = 4, J_TAG = 8, J_FLAGS = 12, J_A = 16, J_A_META = 20, J_B = 24,
            J_B_META = 28, J_COUNT = 32, J_TOMBSTONES = 36, IMAGE = 64;
    /** Journal flags. */
    public static final int J_IMAGE = 1, J_CLEAR = 2;

    /** Slot fields. */
    public static final long META = 0, HOME = 4, KEY = 8;
    public static final int EMPTY = 0, TOMBSTONE = 1, OCCUPIED = 2;

    /** Keys per segment that the default segment count aims at. */
    public static final int KEYS_PER_SEGMENT = 128;
    public static final int MAX_DEFAULT_SEGMENTS = 4096;
    /** Segments are copied whole by iterators, so they stay below 1 GiB. */
    public static final long MAX_SEGMENT_SIZE = 1L << 30;

    public final int keySize;
    public final int valueSize;
    public final int capacity;
    public final int segments;
    public final int keyStride;
    public final int valueStride;
    public final int slotSize;
    public final int slotsPerSegment;
    public final long segmentHeaderSize;
    public final long segmentSize;
    public final long segmentsOffset;
    public final long valueOffset;

    /**
     * The geometry of a table of {@code capacity} entries in {@code segments} segments.
     *
     * @throws IllegalArgumentException if a size is not positive, or the table would have more than 2^31 slots or
     *                                  bytes per slot, or segments larger than 1 GiB
     */
    public HashLayout(int keySize, int valueSize, int capacity, int segments) {
        if (keySize < 1 || valueSize < 1 || capacity < 1 || segments < 1) {
            throw new IllegalArgumentException("hash geometry " + keySize + "/" + valueSize + "/" + capacity + "/" + segments);
        }
        this.keySize = keySize;
        this.valueSize = valueSize;
        this.capacity = capacity;
        this.segments = segments;
        // in long arithmetic: a key or value near 2^31 bytes must be refused, not wrap around to a small slot
        long keyStride = align((long) keySize, 8), valueStride = align((long) valueSize, 8);
        long slot = 8L + keyStride + valueStride;
        double lambda = (double) capacity / segments;
        long slots = align((long) Math.ceil(2 * lambda + 6 * Math.sqrt(lambda) + 8), 8);
        if (slot > Integer.MAX_VALUE || slots * segments >= Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a hash map of " + capacity + " entries of " + keySize + "-byte keys and "
                    + valueSize + "-byte values is too large (more than 2^31 slots or bytes per slot)");
        }
        this.keyStride = (int) keyStride;
        this.valueStride = (int) valueStride;
        this.slotSize = (int) slot;
        this.slotsPerSegment = (int) slots;
        this.valueOffset = KEY + keyStride;
        this.segmentHeaderSize = align(IMAGE + valueStride, 64);
        this.segmentSize = align(segmentHeaderSize + slots * slotSize, 64);
        if (segmentSize > MAX_SEGMENT_SIZE) {
            throw new IllegalArgumentException("a hash map segment of " + slots + " slots of " + slotSize + " bytes would"
                    + " be larger than 1 GiB; give the map more segments");
        }
        this.segmentsOffset = align(TABLE_HEADER + 4L * segments, 64);
    }

    /** The default segment count for a capacity: about {@value #KEYS_PER_SEGMENT} keys each, at most 4096. */
    public static int defaultSegments(int capacity) {
        return (int) Math.max(1, Math.min(MAX_DEFAULT_SEGMENTS, (capacity + (long) KEYS_PER_SEGMENT - 1) / KEYS_PER_SEGMENT));
    }

    /** The page-rounded length of the data region. */
    public long dataLength() {
        return Arch.pageAlign(segmentsOffset + segments * segmentSize);
    }

    /** Every slot of every segment. */
    public long slots() {
        return (long) slotsPerSegment * segments;
    }

    /** The offset of segment {@code g} in the data region. */
    public long segment(int g) {
        return segmentsOffset + g * segmentSize;
    }

    /** The offset of segment {@code g}'s live count in the data region. */
    public static long count(int g) {
        return TABLE_HEADER + 4L * g;
    }

    /** The offset of slot {@code i} of the segment at {@code segment}. */
    public long slot(long segment, int i) {
        return segment + segmentHeaderSize + (long) i * slotSize;
    }

    /** Writes the table header of a new map; the rest of the region is zero, which is an empty table. */
    public void writeTableHeader(MemorySegment data, long seed) {
        data.set(Layouts.LONG, SEED, seed);
        data.set(Layouts.INT, SEGMENTS, segments);
        data.set(Layouts.INT, SLOTS, slotsPerSegment);
        data.set(Layouts.INT, SLOT_SIZE, slotSize);
        data.set(Layouts.INT, SEGMENT_HEADER, (int) segmentHeaderSize);
        data.set(Layouts.LONG, SEGMENT_SIZE, segmentSize);
        data.set(Layouts.LONG, SEGMENTS_OFFSET, segmentsOffset);
    }

    /**
     * Checks a mapped table header against this geometry.
     *
     * @return null if it matches, else the first field that differs
     */
    public String mismatch(MemorySegment data) {
        if (data.get(Layouts.INT, SEGMENTS) != segments) return "segments " + data.get(Layouts.INT, SEGMENTS) + ", expected " + segments;
        if (data.get(Layouts.INT, SLOTS) != slotsPerSegment) return "slots per segment " + data.get(Layouts.INT, SLOTS) + ", expected " + slotsPerSegment;
        if (data.get(Layouts.INT, SLOT_SIZE) != slotSize) return "slot size " + data.get(Layouts.INT, SLOT_SIZE) + ", expected " + slotSize;
        if (data.get(Layouts.INT, SEGMENT_HEADER) != segmentHeaderSize) return "segment header size " + data.get(Layouts.INT, SEGMENT_HEADER);
        if (data.get(Layouts.LONG, SEGMENT_SIZE) != segmentSize) return "segment size " + data.get(Layouts.LONG, SEGMENT_SIZE);
        if (data.get(Layouts.LONG, SEGMENTS_OFFSET) != segmentsOffset) return "segments offset " + data.get(Layouts.LONG, SEGMENTS_OFFSET);
        return null;
    }

    private static long align(long n, long a) {
        return (n + a - 1) / a * a;
    }
}
