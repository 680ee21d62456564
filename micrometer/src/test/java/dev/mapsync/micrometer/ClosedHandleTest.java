package dev.mapsync.micrometer;

import dev.mapsync.ChangeCursor;
import dev.mapsync.Codec;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedBarrier;
import dev.mapsync.SharedRing;
import dev.mapsync.testkit.MapDir;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static dev.mapsync.micrometer.MeterNames.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What the meters of a closed handle read, and how they are tagged. */
class ClosedHandleTest {
    @RegisterExtension
    final MapDir maps = new MapDir("x");

    @Test
    void gaugesReadNaNAndCountersKeepTheirLastCount() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Meters meters = new Meters(registry, maps.name());
        try (SharedArray<Long> map = SharedArray.create(MapSpec.array(maps.name(), Codec.i64(), 4).dir(maps.dir()))) {
            MapSyncMetrics.of(map).bindTo(registry);
            try (ChangeCursor cursor = map.changes()) {
                map.set(0, 1L);
                map.set(1, 2L);
                assertEquals(2, meters.counter(CHANGES));
            }
        }
        assertEquals(List.of("mapsync.changes.missed=0.0", "mapsync.changes=2.0", "mapsync.entries=NaN", "mapsync.locks.dead.owner=NaN",
                "mapsync.locks.held=NaN", "mapsync.sleeping.waiters=NaN", "mapsync.subscribers=NaN",
                "mapsync.torn.entries=NaN"), meters.readings());
    }

    @Test
    void aRingOrABarrierClosedReadsNaNToo() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        String ring = maps.name() + "r", barrier = maps.name() + "b";
        try (SharedRing r = SharedRing.create(MapSpec.ring(ring, 4096).dir(maps.dir()));
             SharedBarrier b = SharedBarrier.create(MapSpec.barrier(barrier, 3).dir(maps.dir()))) {
            MapSyncMetrics.of(r).bindTo(registry);
            MapSyncMetrics.of(b).bindTo(registry);
        }
        assertEquals(List.of("mapsync.ring.capacity=NaN", "mapsync.ring.lost=0.0", "mapsync.ring.sealed=NaN",
                "mapsync.ring.used=NaN"), new Meters(registry, ring).readings());
        assertEquals(List.of("mapsync.barrier.arrived=NaN", "mapsync.barrier.broken=NaN",
                "mapsync.barrier.generation=NaN", "mapsync.barrier.parties=NaN"), new Meters(registry, barrier).readings());
    }

    @Test
    void metersAreTaggedWithTheMapAndTheTagsGiven() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (SharedArray<Long> map = SharedArray.create(MapSpec.array(maps.name(), Codec.i64(), 4).dir(maps.dir()))) {
            new MapSyncMetrics(map, Tags.of("team", "ledger")).bindTo(registry);
            assertEquals(4, registry.get(ENTRIES).tags("map", maps.name(), "team", "ledger").gauge().value());

            SimpleMeterRegistry renamed = new SimpleMeterRegistry();
            new MapSyncMetrics(map, Tags.of("map", "accounts")).bindTo(renamed);
            assertEquals(4, renamed.get(ENTRIES).tag("map", "accounts").gauge().value(), "a map tag given wins");
        }
    }

    @Test
    void aNullMapOrTagsIsRefused() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> MapSyncMetrics.of(null));
        assertEquals("map", e.getMessage());
        try (SharedArray<Long> map = SharedArray.create(MapSpec.array(maps.name(), Codec.i64(), 4).dir(maps.dir()))) {
            e = assertThrows(NullPointerException.class, () -> new MapSyncMetrics(map, null));
            assertEquals("tags", e.getMessage());
        }
    }
}
