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
    private final boolean userRing;

    RingSpec(MapLocation location, int capacity) {
        this(location, capacity, false);
    }

    private RingSpec(MapLocation location, int capacity, boolean userRing) {
        super(location);
        this.capacity = capacity;
        this.userRing = userRing;
    }

    @Override
    public MapType type() {
        return MapType.RING;
    }

    @Override
    RingSpec at(MapLocation l) {
        return new RingSpec(l, capacity, userRing);
    }

    /**
     * The same spec for a ring into the kernel (bpf only): a {@code BPF_MAP_TYPE_USER_RINGBUF} that processes produce
     * into with {@link SharedRing#claim} and {@link SharedRing#offer}, serialized by the ring's reserve lock, and that
     * BPF programs drain with {@code bpf_user_ringbuf_drain}; {@link SharedRing#consumer()} is refused. A ring a spec
     * with {@link MapSpec#pinnedRing} opens may be of either kind.
     *
     * @param userRing true for a ring into the kernel
     * @return the changed copy
     */
    public RingSpec userRing(boolean userRing) {
        return new RingSpec(location, capacity, userRing);
    }

    /** {@return true for a spec of a ring into the kernel ({@link #userRing(boolean)})} */
    public boolean userRing() {
        return userRing;
    }

    /** {@return bytes of records; 0 for a spec that takes it from the kernel ring ({@link MapSpec#pinnedRing})} */
    public int capacityBytes() {
        return capacity;
    }

    Blueprint blueprint() {
        return location.blueprint(MapType.RING, null, null, capacity, 0, 0, 0, false, false, false, userRing);
    }

    @Override
    public String toString() {
        return blueprint().toString();
    }
}
