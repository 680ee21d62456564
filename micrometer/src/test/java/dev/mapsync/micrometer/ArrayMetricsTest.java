package dev.mapsync.micrometer;

import dev.mapsync.ArraySpec;
import dev.mapsync.Backend;
import dev.mapsync.ChangeCursor;
import dev.mapsync.ChangeEvent;
import dev.mapsync.Codec;
import dev.mapsync.LockGuard;
import dev.mapsync.MissedChanges;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.LockHolder;
import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.MapDir;
import dev.mapsync.testkit.Peer;
import dev.mapsync.testkit.TestJvm;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static dev.mapsync.micrometer.MeterNames.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The meters of an array, each brought to a known value by what the test does to the map. */
class ArrayMetricsTest {
    @RegisterExtension
    final MapDir maps = new MapDir("m");

    private ArraySpec<Long> spec(Backend b, int entries, int stripes) {
        return Machine.on(b, MapSpec.array(maps.name(), Codec.i64(), entries).lockStripes(stripes).dir(maps.dir()));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void locksSubscribersWaitersAndChanges(Backend b) throws Exception {
        try (SharedArray<Long> map = SharedArray.create(spec(b, 8, 8))) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            MapSyncMetrics.of(map).bindTo(registry);
            Meters meters = new Meters(registry, maps.name());
            assertEquals(List.of("mapsync.changes.missed=0.0", "mapsync.changes=0.0", "mapsync.entries=8.0", "mapsync.locks.dead.owner=0.0",
                    "mapsync.locks.held=0.0", "mapsync.sleeping.waiters=0.0", "mapsync.subscribers=0.0",
                    "mapsync.torn.entries=0.0"), meters.readings());

            assertNotEquals(map.stripeOf(1), map.stripeOf(5));
            try (LockGuard two = map.lockAll(1, 5)) {
                assertEquals(2, meters.gauge(LOCKS_HELD));
            }
            assertEquals(0, meters.gauge(LOCKS_HELD));

            try (ChangeCursor cursor = map.changes()) {
                assertEquals(1, meters.gauge(SUBSCRIBERS));
                map.set(1, 10L);
                map.set(2, 20L);
                map.set(3, 30L);
                assertEquals(3, meters.counter(CHANGES));
                assertEquals(3, cursor.poll(Duration.ZERO).size());

                CompletableFuture<List<ChangeEvent>> waiting = CompletableFuture.supplyAsync(
                        () -> cursor.poll(Duration.ofSeconds(60)));
                meters.awaitGauge(SLEEPING_WAITERS, 1);
                map.set(4, 40L);
                assertEquals(1, waiting.get().size());
                assertEquals(0, meters.gauge(SLEEPING_WAITERS));
                assertEquals(4, meters.counter(CHANGES));
            }
            assertEquals(0, meters.gauge(SUBSCRIBERS));
            assertEquals(4, meters.counter(CHANGES), "the log keeps its count after the last subscriber left");

            int held = map.info().changelogCapacity();
            try (ChangeCursor slow = map.changes()) {
                for (int i = 0; i < held + 5; i++) map.longs().getAndAdd(0, 1);
                assertEquals(new MissedChanges(slow.position(), 5), slow.poll(Duration.ZERO).getFirst());
                assertEquals(5, meters.counter(CHANGES_MISSED));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aLockOfAKilledOwnerIsADeadOwnersLock(Backend b) throws Exception {
        try (SharedArray<Long> map = SharedArray.create(spec(b, 4, 4))) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            MapSyncMetrics.of(map).bindTo(registry);
            Meters meters = new Meters(registry, maps.name());
            try (ChildJvm holder = TestJvm.start(LockHolder.class, maps.dir().toString(), maps.name(), b.name(), "4", "2")) {
                holder.awaitLine("locked", 60);
                assertEquals(1, meters.gauge(LOCKS_HELD));
                assertEquals(0, meters.gauge(LOCKS_DEAD_OWNER));
                holder.kill();
                meters.awaitGauge(LOCKS_DEAD_OWNER, 1);
                assertEquals(1, meters.gauge(LOCKS_HELD), "held until the next owner takes it over");
            }
            try (LockGuard taken = map.lock(2)) {
                assertEquals(1, meters.gauge(LOCKS_HELD));
                assertEquals(0, meters.gauge(LOCKS_DEAD_OWNER));
            }
            assertEquals(0, meters.gauge(LOCKS_HELD));
        }
    }

    /** A value of two words, written inside its stripe's sequence window (a scalar is written by one store). */
    record Pair(long a, long b) {}

    @ParameterizedTest
    @EnumSource(Backend.class)
    void anEntryLeftHalfWrittenIsTorn(Backend b) {
        // 8 entries on 2 stripes: entries 1, 3, 5 and 7 share stripe 1
        try (SharedArray<Pair> map = SharedArray.create(Machine.on(b, MapSpec.array(maps.name(), Pair.class, 8)
                .lockStripes(2).dir(maps.dir())))) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            MapSyncMetrics.of(map).bindTo(registry);
            Meters meters = new Meters(registry, maps.name());
            // stripe 1's sequence word left odd, "writing" entry 3, with its lock free: what a writer that died leaves
            Peer.putLong(map.info().file(), Peer.stripeRecord(1) + Peer.SEQ, (long) (3 + 1) << 32 | 7);
            assertEquals(1, meters.gauge(TORN_ENTRIES));
            assertEquals(0, meters.gauge(LOCKS_HELD), "no one holds the stripe's lock");
            map.set(3, new Pair(3, -3)); // writing the entry again makes it whole
            assertEquals(0, meters.gauge(TORN_ENTRIES));
        }
    }
}
