package dev.mapsync;

import dev.mapsync.internal.store.Blueprint;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The blueprint of a barrier ({@link SharedBarrier}) of {@link #parties()} processes, in shared memory only. Made by
 * {@link MapSpec#barrier}. Immutable and thread-safe: each wither returns a changed copy.
 */
public final class BarrierSpec implements MapSpec<Void> {
    private final MapLocation location;
    private final int parties;

    BarrierSpec(MapLocation location, int parties) {
        this.location = location;
        this.parties = parties;
    }

    @Override
    public MapLocation location() {
        return location;
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
        if (backend == Backend.BPF) {
            throw new IllegalArgumentException("a barrier lives in shared memory only: its waiters sleep on futex words,"
                    + " which the kernel refuses on BPF map memory");
        }
        return new BarrierSpec(location.backend(backend), parties);
    }

    @Override
    public BarrierSpec dir(Path dir) {
        return new BarrierSpec(location.dir(dir), parties);
    }

    @Override
    public BarrierSpec mode(int mode) {
        return new BarrierSpec(location.mode(mode), parties);
    }

    @Override
    public BarrierSpec openTimeout(Duration timeout) {
        return new BarrierSpec(location.openTimeout(timeout), parties);
    }

    @Override
    public BarrierSpec lockTimeout(Duration timeout) {
        return new BarrierSpec(location.lockTimeout(timeout), parties);
    }

    /** The number of processes that meet at the barrier. */
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
