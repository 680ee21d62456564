package dev.mapsync.replicate;

import dev.mapsync.MapLocation;
import dev.mapsync.replicate.internal.status.StatusFields;
import dev.mapsync.replicate.internal.status.StatusFile;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Where a leader or follower of a map stands: its role, its peer, how far the stream has come, and (for a follower)
 * how far behind the leader it is, in changes and in the leader's own time. An immutable value, from
 * {@link Leader#status()}, {@link Follower#status()}, or {@link #of(MapLocation)} for the process that replicates a map
 * on this host, whichever it is.
 *
 * @param role         leader or follower
 * @param map          the map's name
 * @param peer         a leader's listening address; a follower's leader
 * @param state        what it is doing: a leader {@code serving}; a follower {@code starting}, {@code catching up}
 *                     (replaying the leader's recording), {@code live}, {@code leader unreachable}, or
 *                     {@code failed: <why>}; {@code stopped} once it ended
 * @param pid          the process that replicates the map
 * @param running      true while that process runs and updates its status (a killed one leaves its last status)
 * @param epoch        the leader's epoch: a random id per leader start
 * @param recordingId  the stream's recording in the leader's archive
 * @param position     the stream's position: sent by a leader, applied by a follower
 * @param changes      the stream's messages sent (leader) or applied (follower) in this epoch
 * @param lagChanges   the messages the leader sent that the follower has not applied (0 for a leader)
 * @param lagMillis    how much older, on the leader's clock, the follower's newest applied message is than the
 *                     newest it has heard of (0 when it is in step, and for a leader)
 * @param snapshots    the snapshots sent (leader) or applied (follower)
 * @param lastSnapshot when the last one ended, or null before the first
 * @param updated      when this status was taken
 */
public record ReplicationStatus(Role role, String map, String peer, String state, long pid, boolean running, long epoch,
                                long recordingId, long position, long changes, long lagChanges, long lagMillis,
                                long snapshots, Instant lastSnapshot, Instant updated) {
    /** A status file not updated for this long belongs to a process that no longer replicates. */
    private static final Duration STALE = Duration.ofSeconds(5);

    /** Who keeps the map in step. */
    public enum Role {
        /** Publishes the map's changes. */
        LEADER,
        /** Keeps a read replica of a leader's map. */
        FOLLOWER
    }

    /**
     * The status of the leader or follower of the map at {@code map} on this host, as its status file
     * ({@code <map file>.replication}) says.
     *
     * @param map where the map is on this host
     * @return the status, or empty when the map was never replicated on this host
     * @throws IllegalStateException if the status file is not one (naming what is wrong)
     * @throws java.io.UncheckedIOException if the status file cannot be read
     */
    public static Optional<ReplicationStatus> of(MapLocation map) {
        return StatusFile.read(StatusFile.beside(map.file())).map(StatusFields::parse);
    }

    /**
     * Whether a status comes from a process that still replicates: one that lives and updated it in the last 5 s.
     *
     * @param pid     the process that took the status
     * @param updated when it took it
     * @return true if that process still replicates
     */
    public static boolean isCurrent(long pid, Instant updated) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                && Duration.between(updated, Instant.now()).compareTo(STALE) < 0;
    }
}
