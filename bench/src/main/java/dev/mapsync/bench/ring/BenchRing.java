package dev.mapsync.bench.ring;

import java.util.function.LongConsumer;

/**
 * One end of a ring shared between processes, as the ring drivers use it: producers offer records of a fixed length
 * whose first 8 bytes are a value, the consumer drains them and sees the values. Both implementations busy-spin
 * (neither side blocks), which is how Agrona's rings are used and measured.
 */
interface BenchRing extends AutoCloseable {
    /** Copies a record of {@code length} bytes starting with {@code value} into the ring; false when it is full. */
    boolean offer(long value, int length);

    /** Reads up to {@code limit} records, handing the first 8 bytes of each to {@code sink}; returns how many. */
    int drain(LongConsumer sink, int limit);

    @Override
    void close();
}
