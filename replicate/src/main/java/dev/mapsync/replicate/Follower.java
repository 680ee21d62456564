package dev.mapsync.replicate;

import dev.mapsync.MapLocation;
import dev.mapsync.replicate.internal.follower.FollowerLoop;
import dev.mapsync.replicate.internal.loop.LoopThread;
import dev.mapsync.replicate.internal.transport.Endpoint;

/**
 * A read replica of a leader's map ({@link Leader}), kept in step on this host: a map of the leader's name and
 * schema that local processes open, read at memory speed, watch and export as any map, and that refuses their
 * writes ({@link dev.mapsync.ReplicaWriteException} names the leader). The follower makes the replica from the
 * leader's first snapshot, applies every change in the leader's order, catches up from the leader's recording
 * after a late start, a restart or a gap, and says how far behind it is ({@link #status()}).
 *
 * <p>What a replica guarantees: each entry's values appear in the order the leader's map had them, and once the
 * leader stops changing the map and the follower has caught up, every entry equals the leader's. It does not give a
 * point-in-time view across entries, nor locks or atomic operations across hosts. A killed leader leaves the
 * replica as it was, and its status says the leader is unreachable; a restarted leader's first snapshot brings it
 * in step again.
 *
 * <p><b>Threads.</b> One thread of its own receives and applies; {@link #status()} and {@link #close()} may be called
 * from any thread.
 */
public final class Follower implements AutoCloseable {
    private final FollowerLoop loop;
    private final LoopThread thread;

    private Follower(FollowerLoop loop, String name) {
        this.loop = loop;
        this.thread = new LoopThread("mapsync-follower-" + name, loop);
    }

    /**
     * Starts following {@code leader} into the replica at {@code replica} (made at the leader's first snapshot if it
     * is not there; the backend is the location's).
     *
     * @param replica where the replica lives on this host
     * @param leader  the leader's {@code HOST:PORT}
     * @return the running follower
     * @throws IllegalArgumentException for a malformed address
     * @throws io.aeron.exceptions.AeronException if Aeron cannot start
     */
    public static Follower follow(MapLocation replica, String leader) {
        return new Follower(new FollowerLoop(replica, Endpoint.parse(leader)), replica.name());
    }

    /** {@return where the replica stands now (updated every 100 ms)} */
    public ReplicationStatus status() {
        return loop.status();
    }

    /** {@return true while it follows: not closed, and nothing has failed} */
    public boolean isRunning() {
        return thread.isRunning();
    }

    /**
     * Waits until the follower stops following: closed by another thread, or failed ({@link #failure()}).
     *
     * @throws InterruptedException if the waiting thread is interrupted (the follower goes on)
     */
    public void awaitStopped() throws InterruptedException {
        thread.join();
    }

    /**
     * {@return what stopped the follower (a message that does not parse, a replica that does not match the
     * leader's map), or null while it runs or after a close}
     */
    public Throwable failure() {
        return loop.failure();
    }

    /** Stops following; the replica stays, as it is, and its status says {@code stopped}. Idempotent. */
    @Override
    public void close() {
        thread.close();
    }
}
