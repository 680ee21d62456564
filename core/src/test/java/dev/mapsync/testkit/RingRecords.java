package dev.mapsync.testkit;

import dev.mapsync.MapLocation;
import dev.mapsync.QueueSpec;
import dev.mapsync.internal.ring.RingLayout;
import dev.mapsync.Backend;
import dev.mapsync.MapSpec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * The record the ring tests send: {@code struct { int32 source; int32 kind; int64 seq; }}, 16 bytes, the layout the
 * kernel ring emitter program writes too (RingEmitter), so one consumer checks records from shm producers and from
 * BPF programs alike.
 */
public final class RingRecords {
    private RingRecords() {}

    /** One record: which producer sent it, its kind (0 = a record), and its number in that producer's sequence. */
    public record Item(int source, int kind, long seq) {}

    public static final int SIZE = 16;

    /**
     * The queue spec producers open (records of {@link Item}), in a ring of {@code ringBytes} (a power of two): the
     * tests size their rings in bytes to fill them to the byte.
     */
    public static QueueSpec<Item> queue(Path dir, String name, int ringBytes) {
        return MapSpec.queue(name, Item.class, (int) (ringBytes / RingLayout.recordSize(SIZE))).dir(dir);
    }

    /** A spec that opens the ring, whatever its backend, by name. */
    public static MapLocation existing(Path dir, String name, Backend backend) {
        return MapSpec.existing(name).dir(dir).backend(backend);
    }

    public static int source(MemorySegment payload) {
        return payload.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 0);
    }

    public static long seq(MemorySegment payload) {
        return payload.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 8);
    }
}
