package dev.mapsync.bench.ring;

import dev.mapsync.MapSpec;
import dev.mapsync.RingConsumer;
import dev.mapsync.SharedRing;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.function.LongConsumer;

/** A mapsync {@link SharedRing} in a folder on /dev/shm: offer copies a record in, drain reads records in place. */
final class MapsyncBenchRing implements BenchRing {
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    private final SharedRing ring;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment record;
    private RingConsumer consumer;

    private MapsyncBenchRing(SharedRing ring, int maxLength) {
        this.ring = ring;
        this.record = arena.allocate(maxLength, 8);
    }

    static MapsyncBenchRing create(Path dir, String name, int capacity, int maxLength) {
        return new MapsyncBenchRing(SharedRing.create(MapSpec.ring(name, capacity).dir(dir)), maxLength);
    }

    static MapsyncBenchRing open(Path dir, String name, int capacity, int maxLength) {
        return new MapsyncBenchRing(SharedRing.open(MapSpec.ring(name, capacity).dir(dir)), maxLength);
    }

    @Override
    public boolean offer(long value, int length) {
        record.set(LONG, 0, value);
        return ring.offer(record.asSlice(0, length));
    }

    @Override
    public int drain(LongConsumer sink, int limit) {
        if (consumer == null) consumer = ring.consumer();
        return consumer.drain(payload -> sink.accept(payload.get(LONG, 0)), limit);
    }

    @Override
    public void close() {
        ring.close();
        arena.close();
    }
}
