package dev.mapsync;

import dev.mapsync.internal.barrier.BarrierKind;
import dev.mapsync.internal.store.Blueprint;

/**
 * The blueprint of a barrier ({@link SharedBarrier}) of {@link #parties()} processes, in shared memory only. Made by
 * {@link MapSpec#barrier}; taken by {@link SharedBarrier}'s {@code create}, {@code open} and {@code openOrCreate}.
 * Immutable and thread-safe: each wither returns a changed copy.
 */
public final class BarrierSpec extends SpecBase<BarrierSpec, Void> implements MapSpec<Void> {
    private final int parties;

    BarrierSpec(MapLocation location, int parties) {
        super(location);
        this.parties = parties;
    }

    @Override
    public MapType type() {
        return MapType.BARRIER;
    }

    /**
     * The same spec with another backend.
     *
     * @throws IllegalArgumentException for {@link Backend#BPF}: a barrier's waiters sleep on futex words, which the
     *                                  kernel refuses on BPF map memory
     */
    @Override
    public BarrierSpec backend(Backend backend) {
        if (backend == Backend.BPF) throw BarrierKind.INSTANCE.bpfRefused();
        return super.backend(backend);
    }

    @Override
    BarrierSpec at(MapLocation l) {
        return new BarrierSpec(l, parties);
    }

    /** {@return the number of processes that meet at the barrier} */
    public int parties() {
        return parties;
    }

    Blueprint blueprint() {
        return location.blueprint(MapType.BARRIER, null, null, parties, 0, 0, 0);
    }

    @Override
    public String toString() {
        return blueprint().toString();
    }
}
