package dev.mapsync.replicate;

import dev.mapsync.MapLocation;
import dev.mapsync.replicate.internal.leader.LeaderLoop;
import dev.mapsync.replicate.internal.loop.LoopThread;
import dev.mapsync.replicate.internal.map.MapSource;
import dev.mapsync.replicate.internal.transport.Endpoint;
import dev.mapsync.replicate.internal.transport.LeaderNode;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The leader of a map's read replicas on other hosts: it subscribes to the map's changes and publishes each changed
 * entry's new value over an Aeron publication that its own Aeron Archive records, so that followers that start late,
 * restart or fall behind catch up from the recording ({@link Follower}). It sends a snapshot of the whole map when
 * it starts, after every {@code snapshotEvery} changes, and whenever the map's change log overwrote changes before it
 * read them; the recording keeps what came after the last snapshot, and is emptied when a leader starts (its epoch is
 * new).
 *
 * <p>Arrays and hash maps, on either backend. Only changes made through mapsync (Java, C, Python) are seen: a BPF
 * program's or a raw pointer's writes reach followers with the next snapshot.
 *
 * <p><b>Threads.</b> One thread of its own reads the map and publishes; {@link #status()} and {@link #close()} may be
 * called from any thread.
 */
public final class Leader implements AutoCloseable {
    /** The default number of changes between snapshots (and at least four times the map's entries). */
    public static final long DEFAULT_SNAPSHOT_EVERY = 1_000_000;

    private final LeaderLoop loop;
    private final LoopThread thread;

    private Leader(LeaderLoop loop, String name) {
        this.loop = loop;
        this.thread = new LoopThread("mapsync-leader-" + name, loop);
    }

    /**
     * Starts leading the map at {@code map}, with the default snapshot interval.
     *
     * @param map        an array or hash map on this host
     * @param listen     {@code HOST:PORT} that followers reach: the live stream's control port is {@code PORT}, the
     *                   archive's {@code PORT + 1}
     * @param archiveDir where the archive keeps the recording (emptied first)
     * @return the running leader
     * @throws IllegalArgumentException for a map of another kind or a malformed address
     * @throws dev.mapsync.MapSyncException as opening the map does
     * @throws io.aeron.exceptions.AeronException if Aeron cannot start (such as a port in use)
     */
    public static Leader serve(MapLocation map, String listen, Path archiveDir) {
        return serve(map, listen, archiveDir, DEFAULT_SNAPSHOT_EVERY);
    }

    /**
     * {@link #serve(MapLocation, String, Path)} with a snapshot after every {@code snapshotEvery} changes (at least
     * four times the map's entries, so that snapshots never take more of the stream than changes).
     *
     * @param map           an array or hash map on this host
     * @param listen        {@code HOST:PORT} that followers reach (the archive's port is {@code PORT + 1})
     * @param archiveDir    where the archive keeps the recording (emptied first)
     * @param snapshotEvery changes between snapshots
     * @return the running leader
     * @throws IllegalArgumentException for a map of another kind, a malformed address or a {@code snapshotEvery}
     *                                  below 1
     * @throws dev.mapsync.MapSyncException as opening the map does
     * @throws io.aeron.exceptions.AeronException if Aeron cannot start (such as a port in use)
     */
    public static Leader serve(MapLocation map, String listen, Path archiveDir, long snapshotEvery) {
        Objects.requireNonNull(archiveDir, "archiveDir");
        if (snapshotEvery < 1) throw new IllegalArgumentException("snapshotEvery " + snapshotEvery + " is not positive");
        Endpoint endpoint = Endpoint.parse(listen);
        MapSource source = MapSource.open(map);
        LeaderNode node;
        try {
            node = new LeaderNode(endpoint, archiveDir);
        } catch (RuntimeException e) {
            source.close();
            throw e;
        }
        long every = Math.max(snapshotEvery, 4L * source.shape().entries());
        return new Leader(new LeaderLoop(map.name(), map.file(), endpoint, source, node, every), map.name());
    }

    /** {@return where the leader stands now (updated every 200 ms)} */
    public ReplicationStatus status() {
        return loop.status();
    }

    /** {@return true while it publishes: not closed, and nothing has failed} */
    public boolean isRunning() {
        return thread.isRunning();
    }

    /**
     * Waits until the leader stops publishing: closed by another thread, or failed ({@link #failure()}).
     *
     * @throws InterruptedException if the waiting thread is interrupted (the leader goes on)
     */
    public void awaitStopped() throws InterruptedException {
        thread.join();
    }

    /**
     * Stops publishing and closes the map's handle, Aeron and the archive; the status file says {@code stopped}.
     * Followers keep their replicas and say that the leader is unreachable. Idempotent.
     */
    @Override
    public void close() {
        thread.close();
    }

    /** {@return what stopped the leader, or null while it runs or after a close} */
    public Throwable failure() {
        return loop.failure();
    }
}
