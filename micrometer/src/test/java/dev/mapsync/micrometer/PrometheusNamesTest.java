package dev.mapsync.micrometer;

import dev.mapsync.Codec;
import dev.mapsync.HashSpec;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedBarrier;
import dev.mapsync.SharedHashMap;
import dev.mapsync.SharedQueue;
import dev.mapsync.testkit.MapDir;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The meters as a Prometheus registry serves them: the names {@code mapsync export} serves for the same figures
 * (its MapCollector), so that one dashboard reads either.
 */
class PrometheusNamesTest {
    @RegisterExtension
    final MapDir maps = new MapDir("p");

    @Test
    void everyKindsMetersAreServedUnderTheExportersNames() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        String n = maps.name();
        try (SharedArray<Long> array = SharedArray.create(MapSpec.array(n + "a", Codec.i64(), 4).dir(maps.dir()));
             SharedHashMap<Long, Long> hash = SharedHashMap.create(HashSpec.of(n + "h", Codec.i64(), Codec.i64(), 8)
                     .dir(maps.dir()));
             SharedQueue<Long> queue = SharedQueue.create(MapSpec.queue(n + "q", Codec.i64(), 4096).dir(maps.dir()));
             SharedBarrier barrier = SharedBarrier.create(MapSpec.barrier(n + "b", 2).dir(maps.dir()))) {
            for (var map : List.of(array, hash, queue, barrier)) MapSyncMetrics.of(map).bindTo(registry);
            List<String> served = registry.scrape().lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                    .map(l -> l.substring(0, l.indexOf('{'))).distinct().sorted().toList();
            assertEquals(List.of(
                    "mapsync_barrier_arrived", "mapsync_barrier_broken", "mapsync_barrier_generation",
                    "mapsync_barrier_parties", "mapsync_changes_missed_total", "mapsync_changes_total", "mapsync_entries", "mapsync_locks_dead_owner",
                    "mapsync_locks_held", "mapsync_ring_capacity_bytes", "mapsync_ring_lost_records_total",
                    "mapsync_ring_sealed", "mapsync_ring_used_bytes", "mapsync_sleeping_waiters", "mapsync_subscribers",
                    "mapsync_torn_entries"), served);
            assertEquals(List.of("mapsync_ring_used_bytes{map=\"" + n + "q\"} 0.0"), registry.scrape().lines()
                    .filter(l -> l.startsWith("mapsync_ring_used_bytes")).toList());
        }
    }
}
