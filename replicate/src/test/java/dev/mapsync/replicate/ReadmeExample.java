package dev.mapsync.replicate;

import dev.mapsync.testkit.Await;
import dev.mapsync.MapLocation;
import dev.mapsync.MapSpec;

import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The README's replication example, line for line, with the lines it leaves out (marked, as in core's examples)
 * that run it on one host: the map and archive in the test's folders, the leader on loopback, and a follower
 * started while the leader runs, whose status the test checks.
 */
final class ReadmeExample {
    private ReadmeExample() {}

    /** Runs the example; returns the status of a follower that ran beside the leader, once it was in step. */
    static ReplicationStatus run(MapLocation map, String address, Path archiveDir, MapLocation replicaOnThisHost,
                                 Supplier<Boolean> inStep) {
        ReplicationStatus seen;                                                              // (not in README)
        MapLocation limits = MapSpec.existing("limits");
        limits = map;                                                                        // (not in README)
        String leaderAddress = "10.0.0.1:7400";           // the live stream; the archive's control is on the next port
        leaderAddress = address;                                                             // (not in README)
        Path archive = Path.of("/var/lib/mapsync/limits");
        archive = archiveDir;                                                                // (not in README)
        // on the map's host:
        try (Leader leader = Leader.serve(limits, leaderAddress, archive)) {
            // the map's writers go on as before; leader.status() says how far the stream has come
            try (Follower other = Follower.follow(replicaOnThisHost, leaderAddress)) {       // (not in README)
                Await.until("the replica to be in step", inStep::get);                       // (not in README)
                seen = other.status();                                                       // (not in README)
            }                                                                                // (not in README)
        }
        // on each other host:
        try (Follower follower = Follower.follow(limits, leaderAddress)) {
            ReplicationStatus status = follower.status();   // live, catching up, leader unreachable; lagChanges, lagMillis
        }
        return seen;                                                                         // (not in README)
    }
}
