package dev.mapsync.micrometer;

import dev.mapsync.Backend;
import dev.mapsync.Codec;
import dev.mapsync.HashSpec;
import dev.mapsync.KeyChangeCursor;
import dev.mapsync.LockGuard;
import dev.mapsync.SharedHashMap;
import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.MapDir;
import dev.mapsync.testkit.TestJvm;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import static dev.mapsync.micrometer.MeterNames.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The meters of a hash map, each brought to a known value by what the test does to the map. */
class HashMetricsTest {
    @RegisterExtension
    final MapDir maps = new MapDir("h");

    /** 64 entries of {@code char[8] -> i64} in 2 segments (shm) or lock stripes (bpf). */
    static HashSpec<String, Long> spec(Path dir, String name, Backend b) {
        return HashSpec.of(name, Codec.chars(8), Codec.i64(), 64).segments(2).dir(dir).backend(b);
    }

    private SharedHashMap<String, Long> create(Backend b) {
        Machine.require(b);
        return SharedHashMap.create(spec(maps.dir(), maps.name(), b));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void entriesLocksSubscribersWaitersAndChanges(Backend b) throws Exception {
        try (SharedHashMap<String, Long> map = create(b)) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            MapSyncMetrics.of(map).bindTo(registry);
            Meters meters = new Meters(registry, maps.name());
            assertEquals(List.of("mapsync.changes.missed=0.0", "mapsync.changes=0.0", "mapsync.entries=0.0", "mapsync.locks.dead.owner=0.0",
                    "mapsync.locks.held=0.0", "mapsync.sleeping.waiters=0.0", "mapsync.subscribers=0.0",
                    "mapsync.torn.entries=0.0"), meters.readings());

            // 64 keys fall into both segments (all in one would be a 1 in 2^63 chance): both locks are held
            List<String> keys = IntStream.range(0, 64).mapToObj(Integer::toString).toList();
            try (LockGuard both = map.lockAll(keys)) {
                assertEquals(2, meters.gauge(LOCKS_HELD));
            }
            assertEquals(0, meters.gauge(LOCKS_HELD));

            try (KeyChangeCursor<String> cursor = map.changes()) {
                assertEquals(1, meters.gauge(SUBSCRIBERS));
                map.put("ada", 1L);
                map.put("bob", 2L);
                map.put("cy", 3L);
                assertEquals(3, meters.gauge(ENTRIES));
                assertEquals(3, meters.counter(CHANGES));
                assertEquals(3, cursor.poll(Duration.ZERO).size());

                CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(
                        () -> cursor.poll(Duration.ofSeconds(60)).size());
                meters.awaitGauge(SLEEPING_WAITERS, 1);
                map.remove("bob");
                assertEquals(1, waiting.get());
                assertEquals(0, meters.gauge(SLEEPING_WAITERS));
                assertEquals(2, meters.gauge(ENTRIES));
                assertEquals(4, meters.counter(CHANGES));
            }
            assertEquals(0, meters.gauge(SUBSCRIBERS));
            assertEquals(0, meters.gauge(TORN_ENTRIES), "a hash map's writes are journaled: none is left torn");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aLockOfAKilledOwnerIsADeadOwnersLock(Backend b) throws Exception {
        try (SharedHashMap<String, Long> map = create(b)) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            MapSyncMetrics.of(map).bindTo(registry);
            Meters meters = new Meters(registry, maps.name());
            try (ChildJvm holder = TestJvm.start(HashLockHolder.class, maps.dir().toString(), maps.name(), b.name(), "ada")) {
                holder.awaitLine("locked", 60);
                assertEquals(1, meters.gauge(LOCKS_HELD));
                assertEquals(0, meters.gauge(LOCKS_DEAD_OWNER));
                holder.kill();
                meters.awaitGauge(LOCKS_DEAD_OWNER, 1);
                assertEquals(1, meters.gauge(LOCKS_HELD), "held until the next owner takes it over");
            }
            try (LockGuard taken = map.lock("ada")) {
                assertEquals(1, meters.gauge(LOCKS_HELD));
                assertEquals(0, meters.gauge(LOCKS_DEAD_OWNER));
            }
            assertEquals(0, meters.gauge(LOCKS_HELD));
        }
    }
}
