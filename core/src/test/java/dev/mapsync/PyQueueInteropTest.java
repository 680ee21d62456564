package dev.mapsync;

import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.testkit.PythonClient;
import dev.mapsync.testkit.PythonClient.Script;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Queues between the Python client and the Java library (FORMAT.md §7): Python producers fill a small queue that
 * the Java consumer drains, and Java producers fill one that a Python consumer drains, every record arriving once
 * and in its producer's order, the producers waiting for room and the ring wrapping many times.
 */
class PyQueueInteropTest {
    /** One queued value: {@code source:i64,seq:i64}. */
    public record Job(long source, long seq) {}

    private static final int VALUES = 64, PER_PRODUCER = 5_000;

    @TempDir
    Path dir;

    private final String name = KernelAssumptions.uniqueName("pyq");

    @Test
    void pythonProducersFillAQueueThatJavaDrains() throws Exception {
        PythonClient.require();
        try (SharedQueue<Job> queue = SharedQueue.create(MapSpec.queue(name, Job.class, VALUES).dir(dir));
             Script p1 = PythonClient.start(dir, "produce", name, 1, PER_PRODUCER);
             Script p2 = PythonClient.start(dir, "produce", name, 2, PER_PRODUCER)) {
            Map<Long, Long> next = new TreeMap<>();
            int violations = 0;
            for (int i = 0; i < 2 * PER_PRODUCER; i++) {
                Job job = queue.poll(Duration.ofSeconds(60));
                assertNotNull(job, "a record within 60 s, after " + i);
                if (job.seq() != next.getOrDefault(job.source(), 0L)) violations++;
                next.put(job.source(), job.seq() + 1);
            }
            assertEquals("produced=" + PER_PRODUCER + "\n", p1.awaitSuccess(60));
            assertEquals("produced=" + PER_PRODUCER + "\n", p2.awaitSuccess(60));
            assertEquals(0, violations);
            assertEquals(Map.of(1L, (long) PER_PRODUCER, 2L, (long) PER_PRODUCER), next);
            assertNull(queue.poll());
        }
    }

    @Test
    void javaProducersFillAQueueThatPythonDrains() throws Exception {
        PythonClient.require();
        try (SharedQueue<Job> queue = SharedQueue.create(MapSpec.queue(name, Job.class, VALUES).dir(dir));
             Script consumer = PythonClient.start(dir, "consume", name, 2 * PER_PRODUCER)) {
            assertEquals("consuming", consumer.readLine());
            List<Thread> producers = new ArrayList<>();
            for (long source : new long[]{3, 4}) {
                producers.add(Thread.ofPlatform().start(() -> {
                    for (long seq = 0; seq < PER_PRODUCER; seq++) queue.put(new Job(source, seq), Duration.ofSeconds(60));
                }));
            }
            for (Thread t : producers) t.join();
            assertEquals("records=10000 violations=0 counts=3:5000,4:5000\n", consumer.awaitSuccess(60));
        }
    }
}
