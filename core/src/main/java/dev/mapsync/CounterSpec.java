package dev.mapsync;

import dev.mapsync.internal.counter.CounterKind;
import dev.mapsync.internal.store.Blueprint;

/**
 * The blueprint of a counter map ({@link SharedCounters}) of {@link #count()} sharded 64-bit counters, in shared
 * memory only. Made by {@link MapSpec#counters(String, int)}; taken by {@link SharedCounters}'s {@code create},
 * {@code open} and {@code openOrCreate}. Immutable and thread-safe: each wither returns a changed copy.
 */
public final class CounterSpec extends SpecBase<CounterSpec, Void> implements MapSpec<Void> {
    private final int count;

    CounterSpec(MapLocation location, int count) {
        super(location);
        this.count = count;
    }

    @Override
    public MapType type() {
        return MapType.COUNTER;
    }

    /**
     * The same spec with another backend.
     *
     * @throws IllegalArgumentException for {@link Backend#BPF}: a counter map's cells are not kept in a kernel map
     */
    @Override
    public CounterSpec backend(Backend backend) {
        if (backend == Backend.BPF) throw CounterKind.INSTANCE.bpfRefused();
        return super.backend(backend);
    }

    @Override
    CounterSpec at(MapLocation l) {
        return new CounterSpec(l, count);
    }

    /** {@return the number of counters} */
    public int count() {
        return count;
    }

    Blueprint blueprint() {
        return location.blueprint(MapType.COUNTER, null, null, count, 0, 0, 0);
    }

    @Override
    public String toString() {
        return blueprint().toString();
    }
}
