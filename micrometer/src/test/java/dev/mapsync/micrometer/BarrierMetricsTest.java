package dev.mapsync.micrometer;

import dev.mapsync.MapSpec;
import dev.mapsync.SharedBarrier;
import dev.mapsync.WaitTimeoutException;
import dev.mapsync.testkit.MapDir;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static dev.mapsync.micrometer.MeterNames.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The meters of a barrier through a generation that trips, one that breaks, and a reset. */
class BarrierMetricsTest {
    @RegisterExtension
    final MapDir maps = new MapDir("b");

    @Test
    void partiesArrivedGenerationAndBroken() throws Exception {
        try (SharedBarrier barrier = SharedBarrier.create(MapSpec.barrier(maps.name(), 2).dir(maps.dir()));
             SharedBarrier other = SharedBarrier.open(MapSpec.barrier(maps.name(), 2).dir(maps.dir()))) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            MapSyncMetrics.of(barrier).bindTo(registry);
            Meters meters = new Meters(registry, maps.name());
            assertEquals(List.of("mapsync.barrier.arrived=0.0", "mapsync.barrier.broken=0.0",
                    "mapsync.barrier.generation=0.0", "mapsync.barrier.parties=2.0"), meters.readings());

            CompletableFuture<Long> first = CompletableFuture.supplyAsync(() -> barrier.await(Duration.ofSeconds(60)));
            meters.awaitGauge(BARRIER_ARRIVED, 1);
            assertEquals(0, other.await(Duration.ofSeconds(60)), "the second party trips generation 0");
            assertEquals(0, first.get());
            assertEquals(List.of("mapsync.barrier.arrived=0.0", "mapsync.barrier.broken=0.0",
                    "mapsync.barrier.generation=1.0", "mapsync.barrier.parties=2.0"), meters.readings());

            assertThrows(WaitTimeoutException.class, () -> other.await(Duration.ZERO));
            assertEquals(1, meters.gauge(BARRIER_BROKEN));

            barrier.reset();
            assertEquals(List.of("mapsync.barrier.arrived=0.0", "mapsync.barrier.broken=0.0",
                    "mapsync.barrier.generation=2.0", "mapsync.barrier.parties=2.0"), meters.readings());
        }
    }
}
