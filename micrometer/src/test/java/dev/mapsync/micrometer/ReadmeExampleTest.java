package dev.mapsync.micrometer;

import dev.mapsync.Codec;
import dev.mapsync.HashSpec;
import dev.mapsync.MapSpec;
import dev.mapsync.QueueSpec;
import dev.mapsync.SharedHashMap;
import dev.mapsync.SharedQueue;
import dev.mapsync.testkit.MapDir;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The README's Micrometer example binds what it says, under the names and tags it says. */
class ReadmeExampleTest {
    @RegisterExtension
    final MapDir maps = new MapDir("readme");

    @Test
    void theExampleBindsTheSessionsAndJobsMeters() throws Exception {
        HashSpec<String, ReadmeExample.Session> sessionSpec = HashSpec.of("sessions", Codec.chars(8),
                Codec.record(ReadmeExample.Session.class), 64).dir(maps.dir());
        QueueSpec<ReadmeExample.Job> jobSpec = MapSpec.queue("jobs", ReadmeExample.Job.class, 100).dir(maps.dir());
        try (SharedHashMap<String, ReadmeExample.Session> made = SharedHashMap.create(sessionSpec);
             SharedQueue<ReadmeExample.Job> queue = SharedQueue.create(jobSpec)) {
            made.put("4b1d9c", new ReadmeExample.Session(42, 1767225600L, "10.0.0.7"));
            queue.offer(new ReadmeExample.Job(1, 5, "ada"));
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (AutoCloseable handles = ReadmeExample.bind(sessionSpec, jobSpec, registry)) {
                assertEquals(1, registry.get("mapsync.entries").tag("map", "sessions").gauge().value());
                assertEquals(0, registry.get("mapsync.locks.held").tag("map", "sessions").gauge().value());
                // a job of 32 bytes takes 40 in the ring
                assertEquals(40, registry.get("mapsync.ring.used").tags("map", "jobs", "team", "billing").gauge().value());
            }
        }
    }
}
