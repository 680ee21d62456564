package dev.mapsync.bench.ring;

import dev.mapsync.bench.MappedFiles;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.function.LongConsumer;

/**
 * Agrona's {@link ManyToOneRingBuffer} over a file mapped from /dev/shm, as Aeron's clients and driver share one:
 * the peers' setting. Records are written with {@code write} (a copy, as mapsync's offer) and read with
 * {@code read} (in place).
 */
final class AgronaBenchRing implements BenchRing {
    private static final int MSG_TYPE = 1;

    private final ManyToOneRingBuffer ring;
    private final UnsafeBuffer record;

    private AgronaBenchRing(MappedByteBuffer mapping, int maxLength) {
        this.ring = new ManyToOneRingBuffer(new UnsafeBuffer(mapping));
        this.record = new UnsafeBuffer(new byte[maxLength]);
    }

    /** Maps (and on first use sizes) the ring's file: {@code capacity} bytes of records and Agrona's trailer. */
    static AgronaBenchRing open(Path file, int capacity, int maxLength) {
        return new AgronaBenchRing(MappedFiles.buffer(file, capacity + RingBufferDescriptor.TRAILER_LENGTH), maxLength);
    }

    @Override
    public boolean offer(long value, int length) {
        record.putLong(0, value);
        return ring.write(MSG_TYPE, record, 0, length);
    }

    @Override
    public int drain(LongConsumer sink, int limit) {
        return ring.read((type, buffer, index, length) -> sink.accept(buffer.getLong(index)), limit);
    }

    @Override
    public void close() {
        // a MappedByteBuffer is unmapped when it is collected; the driver deletes the file
    }
}
