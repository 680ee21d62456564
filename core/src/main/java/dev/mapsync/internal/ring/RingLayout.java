package dev.mapsync.internal.ring;

import dev.mapsync.internal.store.Blueprint;
import dev.mapsync.internal.store.ControlLayout;
import dev.mapsync.internal.store.Header;
import dev.mapsync.internal.store.Limits;
import dev.mapsync.CorruptMapException;
import dev.mapsync.MapType;
import dev.mapsync.Schema;
import dev.mapsync.internal.sys.Arch;
import dev.mapsync.internal.sys.Proc;

/**
 * The layout of a ring map (type {@code RING}): its records, its control region and what its header says.
 *
 * <p><b>Records</b> have the format of the kernel's BPF ring buffer ({@code kernel/bpf/ringbuf.c}), so one
 * consumer reads both a mapsync ring and a kernel {@code BPF_MAP_TYPE_RINGBUF}:
 * <pre>
 * offset size field
 *      0    4 length of the payload in bits 0..29; bit 31 BUSY: claimed, not committed yet; bit 30 DISCARD: skip it
 *      4    4 shm rings: the owner token of the producer that claimed the record; kernel rings: kernel-internal
 *      8    . payload; the next record starts at round_up(8 + length, 8)
 * </pre>
 * The data region is a power of two of bytes, record {@code p} starting at {@code p mod capacity}; it is mapped
 * twice in a row, as the kernel maps its ring, so that a record that wraps past the end reads as one piece. The
 * free space of an shm ring is zero (its consumer zeroes what it consumed), so a zero header means no record yet.
 *
 * <p><b>Control region</b> (offsets from its start; both backends, though a kernel ring's sidecar keeps its
 * positions in the kernel map):
 * <pre>
 * offset size field
 *      0  256 reserved, zero
 *    256  32768 process slots (see ProcessSlots): who has the ring open; tokens name record claimers
 *  33024  128 producer line: +0 u64 producer position
 *  33152  128 reserve line: +0 u32 reserve lock (0 = free, else the owner token); +4 u32 sealed (1 = no more
 *             records may be claimed)
 *  33280  128 consumer line: +0 u64 consumer position
 *  33408  128 consumer wait: +0 u32 futex word, 1 while the consumer sleeps waiting for a record
 *  33536  128 producer wait: +0 u32 futex word, 1 while a producer sleeps waiting for room
 *  33664  128 consumer record: +0 u32 pid of the consumer (0 = none); +8 u64 its start time; +16 u64 its pid
 *             namespace; +24 u64 since, milliseconds since the epoch; +32 u64 records lost (their producer died
 *             before committing them); +40 u64 bytes lost; +48 u32 fences: 1 while the consumer fences
 *             registered producers with membarrier before it sleeps (see RingProducer#commit)
 * </pre>
 * Each line is 128 bytes (a pair of cache lines, which x86 prefetches together), so that words written by
 * different parties never share one: the reserve lock, which only producers touch, is apart from the producer
 * position, which the consumer reads whenever it catches up.
 *
 * <p><b>Header</b> fields for rings: key size 0; value size the fixed size of a queue's values, or 0 for records of
 * any length; stride 0; entries the capacity in bytes; lock stripes and changelog capacity 0; the value schema
 * text that of a queue's values, or empty.
 */
public final class RingLayout {
    private RingLayout() {}

    /** Bytes of a record header. */
    public static final int HEADER_SIZE = 8;
    /** {@code BPF_RINGBUF_BUSY_BIT}. */
    public static final int BUSY = 1 << 31;
    /** {@code BPF_RINGBUF_DISCARD_BIT}. */
    public static final int DISCARD = 1 << 30;
    /** The length bits of a record header. */
    public static final int LENGTH_MASK = DISCARD - 1;

    public static final long PRODUCER_POSITION = 33024;
    public static final long RESERVE_LOCK = 33152, SEALED = RESERVE_LOCK + 4;
    public static final long CONSUMER_POSITION = 33280;
    public static final long CONSUMER_WAIT = 33408;
    public static final long PRODUCER_WAIT = 33536;
    public static final long CONSUMER_PID = 33664, CONSUMER_START = CONSUMER_PID + 8, CONSUMER_PIDNS = CONSUMER_PID + 16,
            CONSUMER_SINCE = CONSUMER_PID + 24, LOST_RECORDS = CONSUMER_PID + 32, LOST_BYTES = CONSUMER_PID + 40,
            CONSUMER_FENCES = CONSUMER_PID + 48;
    private static final long CONTROL_END = CONSUMER_PID + 128;

    /** The length of a ring's control region. */
    public static final long CONTROL_LENGTH = Arch.pageAlign(CONTROL_END);

    /**
     * The byte of the ring's liveness file whose open-file-description write lock makes a handle the ring's one
     * consumer: just past the process slots' bytes.
     */
    public static final long CONSUMER_LOCK_BYTE = (1L << 40) + ControlLayout.SLOT_COUNT;

    /** The smallest capacity: one page, so that the data region can be mapped twice. */
    public static final long MIN_CAPACITY = Arch.PAGE_SIZE;
    /** The largest capacity (1 GiB). */
    public static final long MAX_CAPACITY = 1L << 30;

    /** The bytes a record of {@code length} payload bytes takes: header and payload, rounded up to 8. */
    public static long recordSize(long length) {
        return (length + HEADER_SIZE + 7) & ~7L;
    }

    /**
     * The bytes of the smallest ring, one page at least, that holds {@code values} records of {@code length} bytes at
     * once: a power of two, or a figure past {@link #MAX_CAPACITY} when none is that large (no overflow for any int
     * arguments).
     */
    public static long bytesFor(int values, int length) {
        long needed = Math.max(MIN_CAPACITY, Math.max(1, values) * recordSize(length));
        return needed > MAX_CAPACITY ? needed : Long.highestOneBit(needed - 1) << 1;
    }

    /** The longest payload a ring of {@code capacity} bytes takes (when it is empty). */
    public static int maxPayload(long capacity) {
        return (int) Math.min(capacity - HEADER_SIZE, LENGTH_MASK);
    }

    /**
     * What is wrong with a ring's positions, or null when nothing is: records are 8-byte aligned, so both positions are
     * multiples of 8; the consumer never passes the producer, and the producer is never more than the capacity ahead.
     * (A reader that loaded the consumer position after the producer position may see a consumer position past that
     * producer position; load the consumer position first, or pass positions loaded in that order.)
     */
    public static String positionProblem(long producer, long consumer, long capacity) {
        if ((consumer & 7) != 0) return "its consumer position " + consumer + " is not a multiple of 8";
        if ((producer & 7) != 0) return "its producer position " + producer + " is not a multiple of 8";
        if (producer - consumer < 0) return "its consumer position " + consumer + " is past its producer position " + producer;
        if (producer - consumer > capacity) {
            return "its producer position " + producer + " is more than its capacity (" + capacity + " bytes) past its"
                    + " consumer position " + consumer;
        }
        return null;
    }

    /** What is wrong with {@code capacity} as a ring's capacity, or null when nothing is. */
    public static String capacityProblem(long capacity) {
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || Long.bitCount(capacity) != 1) {
            return "a ring's capacity must be a power of two from " + MIN_CAPACITY + " to " + MAX_CAPACITY
                    + " bytes, not " + capacity;
        }
        return null;
    }

    /**
     * The header of a new ring made from {@code spec}: its records live in the file (shm) or in a kernel map (bpf).
     *
     * @throws IllegalArgumentException if the value schema's text does not fit the header; checked before anything of
     *                                  the ring is created
     */
    public static Header header(Blueprint spec) {
        Schema values = spec.valueSchema();
        Limits.require(spec.name(), Limits.schemaTextProblem("", values == null ? "" : values.toString()));
        return header(spec.backend() == dev.mapsync.Backend.SHM, spec.entries(), values);
    }

    /**
     * The header of a ring of {@code capacity} bytes: its records inline (shm) or in a kernel map (bpf), of the
     * queue schema {@code values} or of any length (null).
     */
    static Header header(boolean inline, long capacity, Schema values) {
        long controlEnd = Header.SIZE + CONTROL_LENGTH;
        java.time.Instant now = java.time.Instant.now();
        return new Header(Header.VERSION, MapType.RING.code(), inline ? Header.BACKEND_SHM : Header.BACKEND_BPF, 0,
                values == null ? 0 : values.size(), 0, (int) capacity, Proc.PID, Proc.START_TIME,
                now.getEpochSecond() * 1_000_000_000L + now.getNano(), Header.SIZE, CONTROL_LENGTH,
                inline ? controlEnd : 0, capacity, inline ? controlEnd + capacity : controlEnd, 0, 0,
                Proc.PID_NAMESPACE, "", values == null ? "" : values.toString(), 0);
    }

    /** Checks a ring header's geometry (not its file length against the file). */
    public static void checkGeometry(Header h, String where) {
        if (h.keySize() != 0) throw new CorruptMapException(where + "key size " + h.keySize() + " of a ring is not 0");
        if (h.stride() != 0 || h.lockStripes() != 0 || h.changelogCapacity() != 0) {
            throw new CorruptMapException(where + "a ring has no stride, lock stripes or changelog");
        }
        long capacity = Integer.toUnsignedLong(h.entries());
        String problem = capacityProblem(capacity);
        if (problem != null) throw new CorruptMapException(where + problem);
        if (h.valueSize() < 0 || h.valueSize() > maxPayload(capacity)) {
            throw new CorruptMapException(where + "value size " + h.valueSize() + " does not fit a ring of " + capacity + " bytes");
        }
        if (h.controlOffset() != Header.SIZE || h.controlLength() != CONTROL_LENGTH) {
            throw new CorruptMapException(where + "control region at " + h.controlOffset() + " of " + h.controlLength() + " bytes");
        }
        long controlEnd = h.controlOffset() + h.controlLength();
        boolean inline = h.backend() == Header.BACKEND_SHM;
        if (h.dataLength() != capacity || h.dataOffset() != (inline ? controlEnd : 0)) {
            throw new CorruptMapException(where + "data region at " + h.dataOffset() + " of " + h.dataLength() + " bytes");
        }
        long expectedFile = inline ? controlEnd + capacity : controlEnd;
        if (h.fileLength() != expectedFile) {
            throw new CorruptMapException(where + "file length field " + h.fileLength() + ", expected " + expectedFile);
        }
    }

    /** Checks that the value schema text describes values of the header's value size (or is empty for raw records). */
    public static void checkSchema(Header h, String where) {
        if (!h.keySchema().isEmpty()) throw new CorruptMapException(where + "a ring has no key schema");
        if (h.valueSize() == 0) {
            if (!h.valueSchema().isEmpty()) throw new CorruptMapException(where + "value schema without a value size");
            return;
        }
        Header.checkSchemaSize(h, where);
    }
}
