package dev.mapsync.micrometer;

import dev.mapsync.MapSpec;
import dev.mapsync.SharedCounters;
import dev.mapsync.testkit.MapDir;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static dev.mapsync.micrometer.MeterNames.COUNTER;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The meters of a counter map: one function counter per counter, reading the sum over every handle's cell. */
class CounterMetricsTest {
    @RegisterExtension
    final MapDir maps = new MapDir("c");

    @Test
    void eachCounterIsAFunctionCounterOfItsSum() {
        try (SharedCounters counters = SharedCounters.create(MapSpec.counters(maps.name(), 2).dir(maps.dir()));
             SharedCounters other = SharedCounters.open(MapSpec.counters(maps.name(), 2).dir(maps.dir()))) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            MapSyncMetrics.of(counters).bindTo(registry);
            assertEquals(List.of("mapsync.counter=0.0", "mapsync.counter=0.0"), new Meters(registry, maps.name()).readings());
            counters.add(0, 3);
            other.add(0, 4);
            other.increment(1);
            assertEquals(7, registry.get(COUNTER).tag("map", maps.name()).tag("key", "0").functionCounter().count());
            assertEquals(1, registry.get(COUNTER).tag("map", maps.name()).tag("key", "1").functionCounter().count());
            counters.close();
            other.add(0, 100);
            // a closed handle's counters keep their last count
            assertEquals(7, registry.get(COUNTER).tag("map", maps.name()).tag("key", "0").functionCounter().count());
        }
    }
}
