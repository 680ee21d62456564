package dev.mapsync;

import dev.mapsync.internal.store.Blueprint;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The blueprint of a ring of records of any length ({@link SharedRing}): {@link #capacity()} bytes in the BPF ring
 * buffer's record format. Made by {@link MapSpec#ring} and {@link MapSpec#pinnedRing}. Immutable and thread-safe:
 * each wither returns a changed copy.
 */
public final class RingSpec implements MapSpec<byte[]> {
    private final MapLocation location;
    private final int capacity;

    RingSpec(MapLocation location, int capacity) {
        this.location = location;
        this.capacity = capacity;
    }

    @Override
    public MapLocation location() {
        return location;
    }

    @Override
    public MapType type() {
        return MapType.RING;
    }

    @Override
    public RingSpec backend(Backend backend) {
        return new RingSpec(location.backend(backend), capacity);
    }

    @Override
    public RingSpec dir(Path dir) {
        return new RingSpec(location.dir(dir), capacity);
    }

    @Override
    public RingSpec mode(int mode) {
        return new RingSpec(location.mode(mode), capacity);
    }

    @Override
    public RingSpec openTimeout(Duration timeout) {
        return new RingSpec(location.openTimeout(timeout), capacity);
    }

    @Override
    public RingSpec lockTimeout(Duration timeout) {
        return new RingSpec(location.lockTimeout(timeout), capacity);
    }

    /** Bytes of records; 0 for a spec that takes it from the kernel ring ({@link MapSpec#pinnedRing}). */
    public int capacity() {
        return capacity;
    }

    Blueprint blueprint() {
        return location.blueprint(MapType.RING, null, null, capacity, 0, 0, 0);
    }

    @Override
    public String toString() {
        return blueprint().toString();
    }
}
