package dev.mapsync.replicate.internal.leader;

import dev.mapsync.replicate.ReplicationStatus;
import dev.mapsync.replicate.internal.loop.ReplicationLoop;
import dev.mapsync.replicate.internal.map.MapSource;
import dev.mapsync.replicate.internal.status.StatusFields;
import dev.mapsync.replicate.internal.status.StatusFile;
import dev.mapsync.replicate.internal.transport.Endpoint;
import dev.mapsync.replicate.internal.transport.LeaderNode;
import dev.mapsync.replicate.internal.wire.Message;
import org.agrona.ExpandableDirectByteBuffer;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What a leader's thread does: sends a snapshot of the whole map first, then each change as the changed entry's
 * current value, and a snapshot again after {@code snapshotEvery} changes or whenever the change log overwrote
 * changes before they were read (during a snapshot: once it ends, so that a snapshot always ends); a heartbeat every {@value #HEARTBEAT_MILLIS} ms; the status file every
 * {@value #STATUS_MILLIS} ms. After each snapshot the recording's segments before it are purged: a follower that
 * has nothing to resume from starts at the last snapshot.
 */
public final class LeaderLoop extends ReplicationLoop {
    static final int HEARTBEAT_MILLIS = 100, STATUS_MILLIS = 200;
    /** Snapshot entries sent per turn at least, between polls of the change log, so that changes keep flowing meanwhile. */
    private static final int SNAPSHOT_CHUNK = 512;
    private static final Duration POLL = Duration.ofMillis(50);

    private final String mapName;
    private final Endpoint listen;
    private final MapSource source;
    private final LeaderNode node;
    private final Path statusFile, mapFile;
    private final long snapshotEvery;
    private final long epoch = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    private final ExpandableDirectByteBuffer buffer = new ExpandableDirectByteBuffer(4096);

    private long seq, changesSinceSnapshot, snapshots, snapshotEntries, lastSnapshotMillis;
    private boolean inSnapshot, snapshotAgain;
    private long snapshotStart;
    private long lastHeartbeat, lastStatus;

    public LeaderLoop(String mapName, Path mapFile, Endpoint listen, MapSource source, LeaderNode node, long snapshotEvery) {
        this.mapName = mapName;
        this.mapFile = mapFile;
        this.statusFile = StatusFile.beside(mapFile);
        this.listen = listen;
        this.source = source;
        this.node = node;
        this.snapshotEvery = snapshotEvery;
        this.status = status("starting");
        writeStatus(); // before serve returns, so that a status command run right after it finds one
    }

    @Override
    public void run() {
        List<Object> keys = new ArrayList<>();
        try {
            if (!beginSnapshot()) return;
            while (!stopping) {
                boolean missed = source.poll(inSnapshot ? Duration.ZERO : POLL, keys);
                int changes = keys.size();
                for (Object key : keys) {
                    if (!send(source.encodeCurrent(key, buffer, seq + 1, epoch, now()))) return;
                    changesSinceSnapshot++;
                }
                keys.clear();
                if (missed && !inSnapshot) {
                    if (!beginSnapshot()) return; // the change log lost some: only the whole map makes up for them
                } else if (missed) {
                    // the entries this snapshot has still to send are read as they are now; those it sent may have
                    // changed unseen: another snapshot follows this one. Starting this one again instead would never
                    // end while changes come faster than they are sent.
                    snapshotAgain = true;
                }
                if (inSnapshot) {
                    if (!snapshotChunk(Math.max(SNAPSHOT_CHUNK, changes))) return;
                } else if (changesSinceSnapshot >= snapshotEvery && !beginSnapshot()) {
                    return;
                }
                housekeeping();
            }
        } catch (Throwable t) {
            failure = t;
            status = status("failed: " + t.getMessage());
            writeStatus();
        }
    }

    /**
     * Sends up to {@code entries} of the snapshot: at least as many as the changes sent since the last chunk, so that
     * a snapshot of N entries ends within N changes however fast they come (with fixed chunks, changes as fast as the
     * leader sends took nearly all the stream, and a snapshot could take minutes).
     */
    private boolean snapshotChunk(int entries) {
        for (int i = 0; i < entries; i++) {
            int length = source.encodeNextSnapshot(buffer, seq + 1, epoch, now());
            if (length < 0) return endSnapshot();
            if (!send(length)) return false;
            snapshotEntries++;
        }
        return true;
    }

    private boolean beginSnapshot() {
        snapshotStart = node.position();
        int at = Message.header(buffer, Message.SNAPSHOT_BEGIN, 0, seq + 1, epoch, now());
        int length = at + source.shape().write(buffer, at);
        source.startSnapshot();
        inSnapshot = true;
        snapshotEntries = 0;
        changesSinceSnapshot = 0;
        return send(length);
    }

    private boolean endSnapshot() {
        int at = Message.header(buffer, Message.SNAPSHOT_END, 0, seq + 1, epoch, now());
        buffer.putLong(at, snapshotEntries, java.nio.ByteOrder.LITTLE_ENDIAN);
        if (!send(at + 8)) return false;
        inSnapshot = false;
        snapshots++;
        lastSnapshotMillis = System.currentTimeMillis();
        node.purgeBefore(snapshotStart);
        if (snapshotAgain) {
            snapshotAgain = false;
            return beginSnapshot();
        }
        return true;
    }

    private boolean send(int length) {
        if (!node.send(buffer, length, () -> stopping)) return false;
        seq++;
        return true;
    }

    private void housekeeping() {
        long nowMillis = System.currentTimeMillis();
        node.checkRecording(false);
        if (nowMillis - lastHeartbeat >= HEARTBEAT_MILLIS) {
            lastHeartbeat = nowMillis;
            int at = Message.header(buffer, Message.HEARTBEAT, 0, seq, epoch, now());
            buffer.putLong(at, node.recordingId(), java.nio.ByteOrder.LITTLE_ENDIAN);
            node.send(buffer, at + 8, () -> stopping);
        }
        if (nowMillis - lastStatus >= STATUS_MILLIS) {
            lastStatus = nowMillis;
            status = status("serving");
            writeStatus();
        }
    }

    private void writeStatus() {
        try {
            StatusFile.write(statusFile, mapFile, StatusFields.of(status));
        } catch (RuntimeException e) {
            // a full file system must not stop the stream: the status is also in memory (Leader.status)
        }
    }

    private ReplicationStatus status(String state) {
        return new ReplicationStatus(ReplicationStatus.Role.LEADER, mapName, listen.toString(), state,
                ProcessHandle.current().pid(), failure == null && !state.equals("stopped"), epoch,
                node.recordingId(), node.position(), seq, 0, 0, snapshots,
                lastSnapshotMillis == 0 ? null : Instant.ofEpochMilli(lastSnapshotMillis), Instant.now());
    }

    private static long now() {
        Instant t = Instant.now();
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    /** Closes the map's handle, Aeron and the archive; the status file says {@code stopped}, or why it failed. */
    @Override
    public void stopped() {
        try (node; source) {
            if (failure == null) {
                status = status("stopped");
                writeStatus();
            }
        }
    }
}
