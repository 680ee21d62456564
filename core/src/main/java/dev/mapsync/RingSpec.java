package dev.mapsync;

import dev.mapsync.internal.store.Blueprint;

/**
 * The blueprint of a ring of records of any length ({@link SharedRing}): {@link #capacityBytes()} bytes in the BPF ring
 * buffer's record format. Made by {@link MapSpec#ring} and {@link MapSpec#pinnedRing}. Immutable and thread-safe:
 * each wither returns a changed copy. Taken by {@link SharedRing}'s {@code create}, {@code open},
 * {@code openReadOnly} and {@code openOrCreate}.
 */
public final class RingSpec extends SpecBase<RingSpec, byte[]> implements MapSpec<byte[]> {
    private final int capacity;

    RingSpec(MapLocation location, int capacity) {
        super(location);
        this.capacity = capacity;
    }

    @Override
    public MapType type() {
        return MapType.RING;
    }

    @Override
    RingSpec at(MapLocation l) {
        return new RingSpec(l, capacity);
    }

    /** {@return bytes of records; 0 for a spec that takes it from the kernel ring ({@link MapSpec#pinnedRing})} */
    public int capacityBytes() {
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
