package dev.mapsync.micrometer;

import dev.mapsync.BarrierStatus;
import dev.mapsync.RingStatus;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedBarrier;
import dev.mapsync.SharedCounters;
import dev.mapsync.SharedHashMap;
import dev.mapsync.SharedMap;
import dev.mapsync.SharedQueue;
import dev.mapsync.SharedRing;
import dev.mapsync.SyncStatus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.lang.ref.WeakReference;
import java.util.Objects;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

import static dev.mapsync.micrometer.MeterNames.*;

/**
 * Binds the health of one open map to a Micrometer registry, read from the map's memory at each scrape:
 *
 * <pre>{@code
 * SharedArray<Account> accounts = SharedArray.open(spec);
 * MapSyncMetrics.of(accounts).bindTo(registry);       // mapsync.locks.held{map="accounts"}, ...
 * }</pre>
 *
 * <p>What is bound depends on the map's kind ({@link MeterNames} says what each meter is):
 * <ul>
 * <li>an array or a hash map: {@code mapsync.entries}, {@code .locks.held}, {@code .locks.dead.owner},
 *     {@code .torn.entries}, {@code .subscribers}, {@code .sleeping.waiters} and the counters {@code mapsync.changes}
 *     and {@code mapsync.changes.missed} (changes slow subscribers were told they missed, summed over every
 *     subscription) ({@link SharedArray#syncStatus()}, {@link SharedHashMap#syncStatus()});</li>
 * <li>a ring or a queue: {@code mapsync.ring.used} and {@code .capacity} (bytes), the counter
 *     {@code mapsync.ring.lost} (records) and {@code .sealed} ({@link SharedRing#status()},
 *     {@link SharedQueue#status()});</li>
 * <li>a barrier: {@code mapsync.barrier.parties}, {@code .arrived}, {@code .generation} and {@code .broken}
 *     ({@link SharedBarrier#status()});</li>
 * <li>a counter map: the function counter {@code mapsync.counter} for each counter, tagged {@code key} with its
 *     index, reading its sum ({@link SharedCounters#sum(int)}).</li>
 * </ul>
 * Every meter carries the tag {@code map}, the map's name, unless the tags given name another, and the tags given.
 *
 * <p>The meters and this binder hold the handle weakly, as Micrometer's own binders hold what they watch, so that
 * binding never keeps a handle (and its mapping) alive. Once the handle is closed, its gauges read NaN (as
 * Micrometer's gauges do once their object is collected) and its counters keep their last count; the meters stay
 * registered until the registry removes them. Closing the handle is the application's to do, not the binder's.
 *
 * <p>Thread-safe: the handle is, and the meters may be read from any thread while others use the map. A figure that
 * cannot be read (a map whose memory was truncated under it: {@link dev.mapsync.CorruptMapException}) is an exception
 * from the meter's function, which Micrometer logs and reports as NaN.
 */
public final class MapSyncMetrics implements MeterBinder {
    private final WeakReference<SharedMap> map;
    private final Tags tags;

    /**
     * A binder for {@code map}'s meters, tagged {@code map} and {@code tags}.
     *
     * @throws NullPointerException if {@code map} or {@code tags} is null
     */
    public MapSyncMetrics(SharedMap map, Iterable<Tag> tags) {
        this.map = new WeakReference<>(Objects.requireNonNull(map, "map"));
        this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
    }

    /**
     * A binder for {@code map}'s meters, tagged {@code map} alone.
     *
     * @throws NullPointerException if {@code map} is null
     */
    public static MapSyncMetrics of(SharedMap map) {
        return new MapSyncMetrics(map, Tags.empty());
    }

    /** Registers the meters of the map's kind in {@code registry}; binds nothing once the handle was collected. */
    @Override
    public void bindTo(MeterRegistry registry) {
        SharedMap m = map.get();
        if (m == null) return;
        Tags all = Tags.of("map", m.name()).and(tags); // a map tag given replaces the name
        Binding b = new Binding(registry, m, all);
        switch (m) {
            case SharedArray<?> a -> keyed(b);
            case SharedHashMap<?, ?> h -> keyed(b);
            case SharedRing r -> ring(b);
            case SharedQueue<?> q -> ring(b);
            case SharedBarrier barrier -> barrier(b);
            case SharedCounters counters -> counters(b, counters.count());
        }
    }

    private static void keyed(Binding b) {
        b.gauge(ENTRIES, null, "Entries of the map (hash maps: keys present)", MapSyncMetrics::entries);
        b.gauge(LOCKS_HELD, null, "Locks held now", m -> sync(m).locksHeld());
        b.gauge(LOCKS_DEAD_OWNER, null, "Held locks whose owner died (taken over by the next waiter)",
                m -> sync(m).locksOfDeadOwners());
        b.gauge(TORN_ENTRIES, null, "Entries a writer left half-written when it died", m -> sync(m).tornEntries());
        b.gauge(SUBSCRIBERS, null, "Open change subscriptions, of every process", m -> sync(m).subscribers());
        b.gauge(SLEEPING_WAITERS, null, "Threads sleeping on the change log", m -> sync(m).sleepingWaiters());
        b.counter(CHANGES, null, "Changes recorded in the map's change log (recorded only while someone subscribes)",
                m -> sync(m).lastChangeSeq());
        b.counter(CHANGES_MISSED, null, "Changes subscribers were told they missed, summed over every subscription",
                m -> sync(m).missedChanges());
    }

    private static void ring(Binding b) {
        b.gauge(RING_USED, "bytes", "Bytes of records claimed and not consumed yet", m -> ring(m).usedBytes());
        b.gauge(RING_CAPACITY, "bytes", "Bytes of records the ring holds", m -> ring(m).capacityBytes());
        b.counter(RING_LOST, "records", "Records skipped because their producer died before committing them",
                m -> ring(m).lostRecords());
        b.gauge(RING_SEALED, null, "1 once the ring takes no more records", m -> Readings.flag(ring(m).sealed()));
    }

    private static void barrier(Binding b) {
        b.gauge(BARRIER_PARTIES, null, "Parties that trip the barrier", m -> barrier(m).parties());
        b.gauge(BARRIER_ARRIVED, null, "Parties that arrived in the current generation and wait",
                m -> barrier(m).arrived());
        b.gauge(BARRIER_GENERATION, null, "Times the barrier tripped or was reset", m -> barrier(m).generation());
        b.gauge(BARRIER_BROKEN, null, "1 while the current generation is broken", m -> Readings.flag(barrier(m).broken()));
    }

    private static void counters(Binding b, int count) {
        for (int i = 0; i < count; i++) {
            int index = i;
            FunctionCounter.builder(COUNTER, b.map(), Readings.counter(m -> ((SharedCounters) m).sum(index)))
                    .description("Sum of the sharded counter over every process's cell").tags(b.tags())
                    .tag("key", Integer.toString(index)).register(b.registry());
        }
    }

    // The figures: each meter reads the status it needs when it is read, so that a scrape sees the map as it is then.
    // The functions take the handle as their argument and capture nothing, so the meters' weak references hold.

    private static double entries(SharedMap m) {
        return m instanceof SharedArray<?> a ? a.length() : ((SharedHashMap<?, ?>) m).size();
    }

    private static SyncStatus sync(SharedMap m) {
        return m instanceof SharedArray<?> a ? a.syncStatus() : ((SharedHashMap<?, ?>) m).syncStatus();
    }

    private static RingStatus ring(SharedMap m) {
        // a queue's figures through its ring status, in bytes like a ring's
        return m instanceof SharedQueue<?> q ? q.status() : ((SharedRing) m).status();
    }

    private static BarrierStatus barrier(SharedMap m) {
        return ((SharedBarrier) m).status();
    }

    /** The registry, the handle and the tags that each meter of one {@link #bindTo} call is registered with. */
    private record Binding(MeterRegistry registry, SharedMap map, Tags tags) {
        void gauge(String name, String unit, String description, ToDoubleFunction<SharedMap> figure) {
            Gauge.builder(name, map, Readings.gauge(figure)).baseUnit(unit).description(description).tags(tags)
                    .register(registry);
        }

        void counter(String name, String unit, String description, ToLongFunction<SharedMap> count) {
            FunctionCounter.builder(name, map, Readings.counter(count)).baseUnit(unit).description(description)
                    .tags(tags).register(registry);
        }
    }
}
