package dev.mapsync.replicate.internal.follower;

import dev.mapsync.MapLocation;
import dev.mapsync.replicate.ReplicationStatus;
import dev.mapsync.replicate.internal.loop.ReplicationLoop;
import dev.mapsync.replicate.internal.map.Replica;
import dev.mapsync.replicate.internal.status.StatusFields;
import dev.mapsync.replicate.internal.status.StatusFile;
import dev.mapsync.replicate.internal.transport.Endpoint;
import dev.mapsync.replicate.internal.transport.FollowerNode;
import dev.mapsync.replicate.internal.transport.MessageAssembler;
import dev.mapsync.replicate.internal.wire.Message;
import dev.mapsync.replicate.internal.wire.Shape;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * What a follower's thread does. Every message of the leader's stream has a sequence number in its epoch, and the
 * replica takes them in order, each exactly once: from the live stream while in step, from a replay of the leader's
 * recording when a gap shows (a late start, a restart, a stream lost while the follower was slow or the network
 * down), switching back to live as soon as the live stream delivers the next message. Messages set an entry to its
 * value at the leader (or remove a key), so taking one again after a crash of the follower is harmless.
 *
 * <p>Without a known point to resume from (a first start, a new leader epoch, a point the leader purged), the
 * follower reads the recording from its start and takes nothing before a snapshot's beginning: the snapshot that
 * follows, with the changes interleaved with it, brings the replica to the leader's state.
 *
 * <p>The status file beside the replica says where it stands and holds the point to resume from: the end of the
 * last message taken, or the beginning of the snapshot in progress (a snapshot is taken whole or again).
 */
public final class FollowerLoop extends ReplicationLoop {
    private static final long STATUS_NANOS = 100_000_000L, SILENT_NANOS = 1_000_000_000L, RETRY_NANOS = 1_000_000_000L,
            REPLAY_START_NANOS = 5_000_000_000L;

    private final MapLocation at;
    private final Endpoint leader;
    private final Path statusFile, mapFile;
    private final FollowerNode node;
    /**
     * What a message handler threw: Aeron's poll catches what its handlers throw and hands it to the error handler,
     * which only logs, and goes on; the handlers keep it here instead, take nothing more, and the loop throws it.
     */
    private RuntimeException handlerFailure;

    private Replica replica;
    // what this replica has taken: the epoch and recording it follows, the last message taken and where it ended
    private long epoch, recording = -1, applied, appliedPosition, appliedTime;
    // where to resume: the end of the last message taken, or where the snapshot in progress began
    private long resumeSeq, resumePosition;
    private boolean seeking = true;
    // what the live stream says of the leader
    private long leaderEpoch, leaderRecording = -1, leaderSeq, leaderTime, lastLive;
    // the leader's time of the first message of its epoch heard: how far behind a follower that applied none is
    private long firstHeardTime;
    // the replay
    private boolean replayWanted;
    private long replayPosition, replayStarted, lastReplayFailure;
    private long snapshots, lastSnapshotMillis;
    private long lastStatus;
    private String state = "starting";

    public FollowerLoop(MapLocation at, Endpoint leader) {
        this.at = at;
        this.leader = leader;
        this.mapFile = at.file();
        this.statusFile = StatusFile.beside(mapFile);
        resumeFrom(StatusFile.read(statusFile).orElse(Map.of()));
        if (epoch != 0) {
            replica = Replica.openExisting(at);
            if (replica == null) { // the replica was deleted: start over from the leader's snapshot
                seeking = true;
                replayWanted = false;
                epoch = 0;
            }
        }
        try {
            this.node = new FollowerNode(leader, guarded(new MessageAssembler(this::live)));
        } catch (RuntimeException | Error e) {
            try {
                if (replica != null) replica.close(); // no follower came to be: its handle of the replica goes too
            } catch (RuntimeException | Error closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
        publishStatus(); // before follow returns, so that a status command run right after it finds one
    }

    /** Takes the point to resume from out of a follower status file of the same leader. */
    private void resumeFrom(Map<String, String> f) {
        if (!"follower".equals(f.get("role")) || !leader.toString().equals(f.get("leader"))) return;
        try {
            epoch = StatusFields.number(f, "epoch");
            recording = StatusFields.number(f, "recording");
            resumeSeq = StatusFields.number(f, "resume-seq");
            resumePosition = StatusFields.number(f, "resume-position");
            applied = resumeSeq;
            appliedPosition = resumePosition;
            snapshots = StatusFields.number(f, "snapshots");
            seeking = resumeSeq == 0; // stopped before its first snapshot ended: from the recording's start again
            replayWanted = true;
        } catch (IllegalArgumentException e) {
            epoch = 0; // not ours to trust: start from the leader's snapshot
        }
    }

    @Override
    public void run() {
        try {
            while (!stopping) {
                int work = node.pollLive(64);
                rethrowHandlerFailure();
                work += steer();
                work += node.pollReplay(256);
                rethrowHandlerFailure();
                long now = System.nanoTime();
                if (now - lastStatus >= STATUS_NANOS) {
                    lastStatus = now;
                    publishStatus();
                }
                if (work == 0) LockSupport.parkNanos(50_000);
            }
        } catch (Throwable t) {
            failure = t;
            state = "failed: " + t.getMessage();
            publishStatus();
        } finally {
            if (replica != null) replica.close();
        }
    }

    private void rethrowHandlerFailure() {
        if (handlerFailure != null) throw handlerFailure;
    }

    /** Starts a replay when one is needed and the leader can be reached. */
    private int steer() {
        long now = System.nanoTime();
        boolean heard = now - lastLive < SILENT_NANOS;
        if (leaderEpoch != 0 && leaderEpoch != epoch && leaderRecording >= 0) {
            // a leader we have not followed yet (a first start, or a restarted leader): its recording from the start.
            // A replay of the leader before it, and the connection to its archive, are of a process that is gone: a
            // replay left running would keep this follower catching up for ever, since it is stopped only once it is
            // caught up or the leader is silent
            node.dropArchive();
            epoch = leaderEpoch;
            recording = leaderRecording;
            applied = resumeSeq = 0;
            appliedPosition = resumePosition = 0;
            seeking = true;
            replayWanted = true;
        }
        if (node.replaying() && !seeking && epoch == leaderEpoch && applied >= leaderSeq && heard) {
            // the replay has everything the live stream delivered so far: the next message comes live
            node.stopReplay();
            state = "live";
        }
        if (node.replaying() && now - replayStarted > REPLAY_START_NANOS && !heard) {
            node.stopReplay(); // the leader went away mid-replay: try again when it is back
            replayWanted = true;
        }
        if (!replayWanted || node.replaying() || !heard || recording < 0 || epoch != leaderEpoch
                || now - lastReplayFailure < RETRY_NANOS) {
            return 0;
        }
        try {
            applied = resumeSeq;
            appliedPosition = resumePosition;
            long from = node.startReplay(recording, resumePosition, guarded(new MessageAssembler(this::replayed)));
            if (from != resumePosition) seeking = true; // purged: the next snapshot brings the replica up to date
            replayPosition = from;
            replayStarted = now;
            replayWanted = false;
            state = "catching up";
            return 1;
        } catch (RuntimeException e) {
            lastReplayFailure = now;
            node.dropArchive();
            state = "leader unreachable (" + e.getMessage() + ")";
            return 0;
        }
    }

    /**
     * {@code handler}, keeping what it throws: Aeron hands that to its error handler, which only logs, and goes on;
     * the loop throws it instead, after the poll, and nothing more is taken meanwhile.
     */
    private FragmentHandler guarded(FragmentHandler handler) {
        return (b, offset, length, header) -> {
            if (handlerFailure != null) return;
            try {
                handler.onFragment(b, offset, length, header);
            } catch (RuntimeException e) {
                handlerFailure = e;
            }
        };
    }

    private void live(DirectBuffer b, int offset, int length, Header header) {
        Message.Header h = Message.Header.read(b, offset, length);
        lastLive = System.nanoTime();
        if (h.epoch() != leaderEpoch) {
            leaderEpoch = h.epoch();
            leaderRecording = -1;
            leaderSeq = 0;
            firstHeardTime = h.timeNanos();
        }
        if (h.type() == Message.HEARTBEAT) leaderRecording = h.bodyLong(b, 0);
        leaderSeq = Math.max(leaderSeq, h.seq());
        leaderTime = Math.max(leaderTime, h.timeNanos());
        if (h.type() == Message.HEARTBEAT || h.epoch() != epoch || seeking) return;
        if (h.seq() == applied + 1) {
            apply(b, h, appliedPosition, header.position());
            if (node.replaying()) node.stopReplay(); // the live stream has caught up with the replay: live from now
            state = "live";
        } else if (h.seq() > applied + 1 && !node.replaying()) {
            replayWanted = true; // a gap: the recording has what the live stream skipped
        }
    }

    private void replayed(DirectBuffer b, int offset, int length, Header header) {
        Message.Header h = Message.Header.read(b, offset, length);
        long before = replayPosition;
        replayPosition = header.position();
        if (h.type() == Message.HEARTBEAT || h.epoch() != epoch) return;
        if (seeking) {
            if (h.type() != Message.SNAPSHOT_BEGIN) return;
            seeking = false;
            applied = h.seq() - 1;
            appliedPosition = before;
        }
        if (h.seq() == applied + 1) apply(b, h, before, replayPosition);
    }

    private void apply(DirectBuffer b, Message.Header h, long start, long end) {
        switch (h.type()) {
            case Message.SNAPSHOT_BEGIN -> {
                Shape shape = Shape.read(b, h);
                if (replica == null) {
                    replica = Replica.openOrCreate(at, shape);
                } else if (!replica.shape().equals(shape)) {
                    throw new IllegalStateException("the leader's map " + shape.differenceFrom(replica.shape())
                            + ": delete the replica (mapsync rm " + at.name() + ") and follow again");
                }
                replica.beginSnapshot();
                resumeSeq = h.seq() - 1;
                resumePosition = start;
            }
            case Message.SNAPSHOT_END -> {
                replica.endSnapshot();
                snapshots++;
                lastSnapshotMillis = System.currentTimeMillis();
            }
            default -> {
                if (replica == null) throw new IllegalStateException("an entry came before any snapshot");
                replica.apply(b, h);
            }
        }
        applied = h.seq();
        appliedPosition = end;
        appliedTime = h.timeNanos();
        if (h.type() != Message.SNAPSHOT_BEGIN && (replica == null || !replica.inSnapshot())) {
            resumeSeq = applied;
            resumePosition = end;
        }
    }

    private void publishStatus() {
        if (failure == null && !stopping) { // once stopping, the state is the one stopped() gives
            boolean heard = System.nanoTime() - lastLive < SILENT_NANOS;
            if (!heard) state = lastLive == 0 ? "starting" : "leader unreachable";
            else if (!state.startsWith("failed")) state = node.replaying() || seeking ? "catching up" : "live";
        }
        status = takeStatus();
        Map<String, String> fields = StatusFields.of(status);
        fields.put("resume-seq", Long.toString(resumeSeq));
        fields.put("resume-position", Long.toString(resumePosition));
        try {
            StatusFile.write(statusFile, mapFile, fields);
        } catch (RuntimeException e) {
            // a full file system must not stop replication; the status is also in memory
        }
    }

    private ReplicationStatus takeStatus() {
        boolean sameEpoch = leaderEpoch == epoch && epoch != 0;
        long lag = sameEpoch ? Math.max(0, leaderSeq - applied) : 0;
        long since = appliedTime != 0 ? appliedTime : firstHeardTime;
        long lagMillis = lag == 0 || since == 0 ? 0 : Math.max(0, (leaderTime - since) / 1_000_000);
        return new ReplicationStatus(ReplicationStatus.Role.FOLLOWER, at.name(), leader.toString(), state,
                ProcessHandle.current().pid(), failure == null && !stopping, epoch, recording, appliedPosition, applied,
                lag, lagMillis, snapshots, lastSnapshotMillis == 0 ? null : Instant.ofEpochMilli(lastSnapshotMillis),
                Instant.now());
    }

    @Override
    public void stopped() {
        node.close();
        if (failure == null) {
            state = "stopped";
            publishStatus();
        }
    }
}
