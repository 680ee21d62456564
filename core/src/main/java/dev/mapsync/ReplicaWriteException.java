package dev.mapsync;

/**
 * A write to a read replica through a handle other than its follower's: a replica is kept in step with a map on
 * another host (its leader) by one process, and a write anywhere else would be overwritten by the next change, or
 * never reach the leader's other readers. Write on the leader. Reads, subscriptions and exports of a replica work as
 * on any map.
 */
public class ReplicaWriteException extends MapAccessDeniedException {
    /** The leader's address, or empty. */
    private final String leader;

    /**
     * Makes one for a map and its leader.
     *
     * @param map    the replica's name
     * @param leader the leader's address, as the follower recorded it, or empty when it is not known
     * @param what   what was refused, such as {@code writes are refused}
     */
    public ReplicaWriteException(String map, String leader, String what) {
        super("map '" + map + "' is a read replica of " + (leader.isEmpty() ? "a map on another host" : leader)
                + "; " + what + ": write on the leader");
        this.leader = leader;
    }

    /** A write refused, as this package's maps say it. */
    static ReplicaWriteException ofWrite(String map, String leader) {
        return new ReplicaWriteException(map, leader, "writes are refused");
    }

    /** A lock refused: locks are for writers, so it says so. */
    static ReplicaWriteException ofLock(String map, String leader) {
        return new ReplicaWriteException(map, leader, "writes and their locks are refused");
    }

    /** {@return the leader's address ({@code host:port}), or empty when the follower did not record it} */
    public String leader() {
        return leader;
    }
}
