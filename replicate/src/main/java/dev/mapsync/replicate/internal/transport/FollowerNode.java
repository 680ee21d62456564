package dev.mapsync.replicate.internal.transport;

import io.aeron.Aeron;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.archive.client.AeronArchive;
import io.aeron.driver.MediaDriver;
import io.aeron.logbuffer.FragmentHandler;
import org.agrona.CloseHelper;

import java.util.concurrent.TimeUnit;

/**
 * A follower's Aeron: an embedded media driver, the live subscription to the leader's stream, and on demand a
 * connection to the leader's archive and a replay of its recording from a position, which follows the recording
 * as it grows. Used by one thread.
 */
public final class FollowerNode implements AutoCloseable {
    private final Endpoint leader;
    private final String local;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final Subscription live;
    private final FragmentHandler liveHandler;
    private AeronArchive archive;
    private Subscription replay;
    private FragmentHandler replayHandler;
    private long replaySession = -1;

    /**
     * Starts the driver and subscribes to {@code leader}'s live stream; {@code liveHandler} gets its fragments, to
     * assemble into messages ({@link MessageAssembler}) where a message may take more than one.
     */
    public FollowerNode(Endpoint leader, FragmentHandler liveHandler) {
        this.leader = leader;
        this.local = leader.localAddressTowards();
        String dir = Drivers.newDirectory("follower");
        MediaDriver started = MediaDriver.launch(Drivers.context(dir));
        Aeron client = null;
        try {
            client = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir).errorHandler(Drivers::logError));
            this.live = client.addSubscription(leader.liveSubscription(local), Endpoint.LIVE_STREAM);
        } catch (RuntimeException e) {
            CloseHelper.quietCloseAll(client, started);
            throw e;
        }
        this.aeron = client;
        this.driver = started;
        this.liveHandler = liveHandler;
    }

    /**
     * Delivers up to {@code limit} live fragments of the images that come from the leader's address; returns how many
     * fragments were read. An image from anywhere else is never read (its sender is soon held back by flow control).
     */
    public int pollLive(int limit) {
        int read = 0;
        for (int i = 0, n = live.imageCount(); i < n; i++) {
            Image image = live.imageAtIndex(i);
            if (fromLeader(image)) read += image.poll(liveHandler, limit);
        }
        return read;
    }

    /** {@return whether the image's sender, {@code ip:port}, is at the leader's address} */
    private boolean fromLeader(Image image) {
        String source = image.sourceIdentity();
        int colon = source.lastIndexOf(':');
        return colon > 0 && source.substring(0, colon).equals(leader.host());
    }

    /** {@return the live subscription's channel with the port the kernel gave it, or null before it is bound} */
    public String liveEndpoint() {
        return live.tryResolveChannelEndpointPort();
    }

    /**
     * Starts a replay of {@code recordingId} from {@code position} that follows the recording as it grows; its
     * fragments go to {@code handler}. A replay already running is stopped first.
     *
     * @return the position it starts from: {@code position}, or the recording's start if that was purged
     * @throws io.aeron.exceptions.AeronException if the archive cannot be reached or refuses
     */
    public long startReplay(long recordingId, long position, FragmentHandler handler) {
        stopReplay();
        if (archive == null) {
            archive = AeronArchive.connect(new AeronArchive.Context()
                    .aeron(aeron)
                    .controlRequestChannel(leader.archiveControl())
                    .controlResponseChannel("aeron:udp?endpoint=" + local + ":0")
                    .messageTimeoutNs(TimeUnit.SECONDS.toNanos(5)));
        }
        long start = archive.getStartPosition(recordingId);
        long from = Math.max(position, start);
        replay = aeron.addSubscription("aeron:udp?endpoint=" + local + ":0", Endpoint.REPLAY_STREAM);
        String channel;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while ((channel = replay.tryResolveChannelEndpointPort()) == null) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("the replay subscription did not bind in 5 s");
            Thread.onSpinWait();
        }
        replaySession = archive.startReplay(recordingId, from, AeronArchive.NULL_LENGTH, channel, Endpoint.REPLAY_STREAM);
        replayHandler = handler;
        return from;
    }

    /** {@return the recording's start position: what was purged before it is gone} */
    public long recordingStart(long recordingId) {
        return archive == null ? 0 : archive.getStartPosition(recordingId);
    }

    /** Delivers up to {@code limit} replayed fragments; returns how many fragments were read (0 when none runs). */
    public int pollReplay(int limit) {
        if (replay == null) return 0;
        Image image = replay.imageBySessionId((int) replaySession);
        return image == null || !fromLeader(image) ? 0 : image.poll(replayHandler, limit);
    }

    /** {@return true while a replay runs} */
    public boolean replaying() {
        return replay != null;
    }

    /** Stops the replay, if one runs. */
    public void stopReplay() {
        if (replay == null) return;
        try {
            archive.stopReplay(replaySession);
        } catch (RuntimeException e) {
            dropArchive(); // the leader went away: a new connection is made for the next replay
        }
        CloseHelper.quietClose(replay);
        replay = null;
        replaySession = -1;
    }

    /** Forgets the archive connection after a failure, so that the next replay connects again. */
    public void dropArchive() {
        CloseHelper.quietClose(archive);
        archive = null;
        if (replay != null) {
            CloseHelper.quietClose(replay);
            replay = null;
            replaySession = -1;
        }
    }

    @Override
    public void close() {
        String dir = driver.aeronDirectoryName();
        CloseHelper.quietCloseAll(replay, archive, live, aeron, driver);
        Drivers.deleteDirectory(dir);
    }
}
