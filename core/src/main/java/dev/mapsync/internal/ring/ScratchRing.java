package dev.mapsync.internal.ring;

import dev.mapsync.internal.store.Header;
import dev.mapsync.internal.store.MapRegion;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static dev.mapsync.internal.sys.Words.INT;
import static dev.mapsync.internal.sys.Words.LONG;

/**
 * A kernel ring's shape in this process's own memory, with a producer written in Java that writes records as the
 * kernel does: a BUSY header first, then the payload, then the header's length with BUSY cleared, and the producer
 * position moved past the record when it is reserved.
 *
 * <p>Why it exists: a BPF program does not wait for its consumer. A consumer in a JVM that has just started runs its
 * first records in the interpreter, tens of times slower than compiled code, and a burst then fills the kernel's ring
 * and is dropped while a C consumer (libbpf's) keeps up. So a process runs its consumer's code over this ring first
 * ({@code dev.mapsync.ConsumerWarmUp}), through the very methods, branches and memory accesses a kernel ring's
 * consumer uses, before it takes a real ring's consumer role. Nothing here is shared with another process.
 *
 * <p>Not thread-safe: one thread produces and consumes in turn. Closing the region (or the ring handle made over it)
 * frees its memory.
 */
public final class ScratchRing {
    /** Bytes of records: room for a burst of {@link #BURST} records of {@link #LENGTH} bytes. */
    private static final long CAPACITY = 4096;
    /** A burst: as many records as a tracing program's burst typically writes before its consumer wakes. */
    public static final int BURST = 64;
    /** The payload of each record, the size of a small tracing event. */
    public static final int LENGTH = 16;

    private final RingRegion region;
    private final MemorySegment producerPosition;
    private final MemorySegment data;
    private long produced;
    /** The position of the record left BUSY by {@link #burst}, or -1. */
    private long busyAt = -1;

    private ScratchRing(RingRegion region, MemorySegment producerPosition, MemorySegment data) {
        this.region = region;
        this.producerPosition = producerPosition;
        this.data = data;
    }

    /** A new scratch ring, empty. */
    public static ScratchRing create() {
        Arena arena = Arena.ofShared();
        try {
            Header header = RingLayout.header(false, CAPACITY, null); // a kernel ring's sidecar
            MemorySegment head = arena.allocate(header.controlOffset() + header.controlLength(), 64);
            MemorySegment positions = arena.allocate(128, 64); // a line each, as the kernel's pages keep them apart
            // the kernel maps the records twice in a row so that a record that wraps reads in one piece; here the
            // second half is plain memory that the producer writes wrapped records into
            MemorySegment data = arena.allocate(2 * CAPACITY, 64);
            MapRegion map = new MapRegion("warm-up", null, header, arena, head, null, false, -1, -1, () -> {});
            // the reader gets read-only views of what the kernel maps read-only: its code then sees what it will see
            MemorySegment producerPosition = positions.asSlice(64, 8);
            return new ScratchRing(RingRegion.scratch(map, producerPosition.asReadOnly(), positions.asSlice(0, 8),
                    data.asReadOnly(), CAPACITY), producerPosition, data);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** The ring, to read with a {@link RingReader}; closing it frees the memory. */
    public RingRegion region() {
        return region;
    }

    /**
     * Writes {@link #BURST} records of {@link #LENGTH} bytes after the ones not yet read: the first {@code discarded}
     * of them discarded, and the last one left BUSY when {@code leaveLastBusy} (until {@link #commitBusy()}).
     * The caller reads the ring empty before the next burst.
     */
    public void burst(int discarded, boolean leaveLastBusy) {
        long size = RingLayout.recordSize(LENGTH);
        long mask = CAPACITY - 1;
        for (int i = 0; i < BURST; i++) {
            long at = produced & mask;
            INT.setRelease(data, at, LENGTH | RingLayout.BUSY);
            LONG.setRelease(producerPosition, 0L, produced + size);
            LONG.set(data, at + RingLayout.HEADER_SIZE, produced);
            LONG.set(data, at + RingLayout.HEADER_SIZE + 8, produced * produced);
            if (i == BURST - 1 && leaveLastBusy) busyAt = at;
            else INT.setRelease(data, at, LENGTH | (i < discarded ? RingLayout.DISCARD : 0));
            produced += size;
        }
    }

    /** Commits the record {@link #burst} left BUSY. */
    public void commitBusy() {
        if (busyAt < 0) return;
        INT.setRelease(data, busyAt, LENGTH);
        busyAt = -1;
    }
}
