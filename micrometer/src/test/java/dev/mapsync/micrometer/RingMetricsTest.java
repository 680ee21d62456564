package dev.mapsync.micrometer;

import dev.mapsync.MapSpec;
import dev.mapsync.SharedQueue;
import dev.mapsync.SharedRing;
import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.MapDir;
import dev.mapsync.testkit.RingProducerChild;
import dev.mapsync.testkit.RingRecords;
import dev.mapsync.testkit.RingRecords.Item;
import dev.mapsync.testkit.TestJvm;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static dev.mapsync.micrometer.MeterNames.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The meters of rings and queues, each brought to a known value by what the test does to the ring. */
class RingMetricsTest {
    @RegisterExtension
    final MapDir maps = new MapDir("r");

    /** A record of {@link Item} (16 bytes) takes 24 bytes of the ring: an 8-byte header, then the value. */
    private static final int RECORD = 24;

    @Test
    void aQueueUsedByValuesAndALostRecordOfAKilledProducer() throws Exception {
        try (SharedQueue<Item> queue = SharedQueue.create(RingRecords.queue(maps.dir(), maps.name(), 4096))) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            MapSyncMetrics.of(queue).bindTo(registry);
            Meters meters = new Meters(registry, maps.name());
            // the ring's capacity in bytes, as the ring counts it (a queue's own capacity may count values)
            double bytes = queue.ring().capacityBytes();
            assertEquals(List.of("mapsync.ring.capacity=" + bytes, "mapsync.ring.lost=0.0", "mapsync.ring.sealed=0.0",
                    "mapsync.ring.used=0.0"), meters.readings());

            for (int i = 0; i < 3; i++) queue.put(new Item(0, 0, i), Duration.ofSeconds(10));
            assertEquals(3 * RECORD, meters.gauge(RING_USED));
            for (int i = 0; i < 3; i++) assertEquals(new Item(0, 0, i), queue.poll());
            assertEquals(0, meters.gauge(RING_USED));

            try (ChildJvm producer = TestJvm.start(RingProducerChild.class, maps.dir().toString(), maps.name(), "4096",
                    "1", "0", "hang-mid-record")) {
                producer.awaitLine("claimed", 60);
                assertEquals(RECORD, meters.gauge(RING_USED), "a claimed record is used before it is committed");
                producer.kill();
            }
            assertTrue(queue.offer(new Item(2, 0, 0)));
            assertEquals(2 * RECORD, meters.gauge(RING_USED));
            assertEquals(new Item(2, 0, 0), queue.poll(Duration.ofSeconds(60)), "the dead producer's record skipped");
            assertEquals(1, meters.counter(RING_LOST));
            assertEquals(0, meters.gauge(RING_USED));

            queue.seal();
            assertEquals(List.of("mapsync.ring.capacity=" + bytes, "mapsync.ring.lost=1.0", "mapsync.ring.sealed=1.0",
                    "mapsync.ring.used=0.0"), meters.readings());
        }
    }

    @Test
    void aRingOfRecordsOfAnyLength() {
        try (SharedRing ring = SharedRing.create(MapSpec.ring(maps.name(), 4096).dir(maps.dir()))) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            MapSyncMetrics.of(ring).bindTo(registry);
            Meters meters = new Meters(registry, maps.name());
            assertTrue(ring.offer(new byte[10]));  // 8 + 10 bytes, rounded up to 8
            assertTrue(ring.offer(new byte[16]));  // 8 + 16
            assertEquals(List.of("mapsync.ring.capacity=4096.0", "mapsync.ring.lost=0.0", "mapsync.ring.sealed=0.0",
                    "mapsync.ring.used=48.0"), meters.readings());
            ring.seal();
            assertEquals(1, meters.gauge(RING_SEALED));
        }
    }
}
