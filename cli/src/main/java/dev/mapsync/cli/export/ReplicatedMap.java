package dev.mapsync.cli.export;

import dev.mapsync.MapLocation;
import dev.mapsync.replicate.ReplicationStatus;

import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * An exported array or hash map, for the status of its replication on this host: the leader or follower that keeps it
 * writes a status file beside it ({@link ReplicationStatus#of}), which each scrape reads. Most maps have none, and
 * make no replication series. Immutable and thread-safe.
 *
 * @param label the {@code map} label: the map as the command line named it
 * @param at    where the map is
 */
public record ReplicatedMap(String label, MapLocation at) {
    /**
     * {@return the status now, or empty when the map is not replicated here} A status file that cannot be read (being
     * made, or not one) makes no series rather than failing the scrape of every other map.
     */
    Optional<ReplicationStatus> status() {
        try {
            return ReplicationStatus.of(at);
        } catch (IllegalStateException | UncheckedIOException e) {
            return Optional.empty();
        }
    }
}
