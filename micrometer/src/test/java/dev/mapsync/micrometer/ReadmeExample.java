package dev.mapsync.micrometer;

import dev.mapsync.Chars;
import dev.mapsync.HashSpec;
import dev.mapsync.QueueSpec;
import dev.mapsync.SharedHashMap;
import dev.mapsync.SharedQueue;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * The README's Micrometer example, line for line between the markers (core's ReadmeExamplesTest finds it here),
 * with the declarations it needs around it; {@link ReadmeExampleTest} runs it.
 */
final class ReadmeExample {
    record Session(long user, long expires, @Chars(16) String ip) {}

    record Job(long id, int priority, @Chars(20) String owner) {}

    private ReadmeExample() {}

    /** Binds the two maps' meters to {@code registry} and returns the handles, for the caller to close. */
    static AutoCloseable bind(HashSpec<String, Session> sessionSpec, QueueSpec<Job> jobSpec, MeterRegistry registry) {
        // README: Monitoring: Prometheus and Micrometer
        SharedHashMap<String, Session> sessions = SharedHashMap.open(sessionSpec);
        MapSyncMetrics.of(sessions).bindTo(registry);    // mapsync.entries{map="sessions"}, mapsync.locks.held, ...
        SharedQueue<Job> jobs = SharedQueue.open(jobSpec);
        new MapSyncMetrics(jobs, Tags.of("team", "billing")).bindTo(registry);   // mapsync.ring.used{map="jobs",team=...}
        // end of the README's block
        return () -> {
            jobs.close();
            sessions.close();
        };
    }
}
