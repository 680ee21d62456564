package dev.mapsync.replicate.internal.transport;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.ArchivingMediaDriver;
import io.aeron.archive.client.AeronArchive;
import io.aeron.archive.client.ArchiveException;
import io.aeron.archive.status.RecordingPos;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;

/**
 * The leader's Aeron: an embedded media driver and archive, and the live publication the archive records from its
 * first byte, so that a position in the live stream is the same position in the recording. Used by one thread.
 */
public final class LeaderNode implements AutoCloseable {
    /**
     * Recording segment files: a purge drops whole ones, so this is also the granularity of what is kept. 64 MiB, or
     * the system property {@code mapsync.replicate.segmentLength} (a power of two from the term length, 8 MiB, to
     * 1 GiB).
     */
    private static final int SEGMENT_LENGTH = Integer.getInteger("mapsync.replicate.segmentLength", 64 << 20);
    private final ArchivingMediaDriver driver;
    private final AeronArchive archive;
    private final Publication publication;
    private final long recordingId;
    private final CountersReader counters;
    private final int recordingCounter;
    /** The recorded position last seen, when the recording was last seen moving or caught up, and the last look. */
    private long recorded, recordingSeen = System.nanoTime(), recordingLooked = recordingSeen;

    /**
     * Starts the driver and archive (the archive's files in {@code archiveDir}, emptied first: a leader's epoch is
     * new, and so is its recording) and the recorded publication on {@code listen}.
     */
    public LeaderNode(Endpoint listen, Path archiveDir) {
        String dir = Drivers.newDirectory("leader");
        ArchiveAccess access = new ArchiveAccess();
        MediaDriver.Context dc = Drivers.context(dir).spiesSimulateConnection(true);
        Archive.Context ac = new Archive.Context()
                .aeronDirectoryName(dir)
                .archiveDir(archiveDir.toFile())
                .deleteArchiveOnStart(true)
                .archiveId(ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE))
                .controlChannel(listen.archiveControl())
                .replicationChannel("aeron:udp?endpoint=" + listen.host() + ":0")
                .segmentFileLength(SEGMENT_LENGTH)
                .recordingEventsEnabled(false)
                .threadingMode(ArchiveThreadingMode.SHARED)
                .authenticatorSupplier(access::authenticator)
                .authorisationServiceSupplier(access::authorisation)
                .errorHandler(Drivers::logError);
        ArchivingMediaDriver started = ArchivingMediaDriver.launch(dc, ac);
        AeronArchive client = null;
        try {
            client = AeronArchive.connect(new AeronArchive.Context()
                    .aeronDirectoryName(dir)
                    .controlRequestChannel("aeron:ipc")
                    .controlResponseChannel("aeron:ipc")
                    .credentialsSupplier(access.leaderCredentials()));
            Publication pub = recordedPublication(client, listen, archiveDir, ac.lowStorageSpaceThreshold());
            CountersReader counters = client.context().aeron().countersReader();
            long deadline = System.nanoTime() + 10_000_000_000L;
            int counter;
            while ((counter = RecordingPos.findCounterIdBySession(counters, pub.sessionId(), client.archiveId()))
                    == CountersReader.NULL_COUNTER_ID) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("the archive did not start recording in 10 s");
                Thread.onSpinWait();
                Thread.yield();
            }
            this.recordingId = RecordingPos.getRecordingId(counters, counter);
            this.counters = counters;
            this.recordingCounter = counter;
            this.publication = pub;
            this.archive = client;
            this.driver = started;
        } catch (RuntimeException e) {
            CloseHelper.quietCloseAll(client, started);
            Drivers.deleteDirectory(dir);
            throw e;
        }
    }

    /** The live stream's publication, which the archive records; refused, saying why, where the archive lacks room. */
    private static Publication recordedPublication(AeronArchive client, Endpoint listen, Path archiveDir, long needs) {
        try {
            return client.addRecordedPublication(listen.liveChannel(), Endpoint.LIVE_STREAM);
        } catch (ArchiveException e) {
            long free = archiveDir.toFile().getUsableSpace();
            if (free >= needs) throw e;
            throw new ArchiveException("the archive's folder " + archiveDir + " has " + mebibytes(free) + " MiB free;"
                    + " Aeron's archive starts a recording only with " + mebibytes(needs) + " MiB free");
        }
    }

    private static long mebibytes(long bytes) {
        return (bytes + (1 << 19)) >> 20;
    }

    /** {@return the archive's id of the live stream's recording} */
    public long recordingId() {
        return recordingId;
    }

    /** {@return the live stream's position: where the next message starts, in it and in the recording} */
    public long position() {
        return publication.position();
    }

    /**
     * Sends one message, waiting while the stream is back-pressured, until {@code stop} says to give up.
     *
     * @return true if it was sent
     * @throws IllegalStateException if the publication was closed or reached its end
     */
    public boolean send(DirectBuffer b, int length, BooleanSupplier stop) {
        int idle = 0;
        while (true) {
            long r = publication.offer(b, 0, length);
            if (r > 0) return true;
            if (r == Publication.CLOSED || r == Publication.MAX_POSITION_EXCEEDED) {
                throw new IllegalStateException("the live stream ended (" + Publication.errorString(r) + ")");
            }
            if (stop.getAsBoolean()) return false;
            if (++idle < 100) {
                Thread.onSpinWait();
            } else {
                // the archive's own subscription keeps the stream connected: without it, no one reads the stream
                if (r == Publication.NOT_CONNECTED || idle % 1024 == 0) checkRecording(r == Publication.NOT_CONNECTED);
                Thread.yield();
            }
        }
    }

    /**
     * Fails once the archive has stopped recording the live stream: its recording is gone, or has not moved for
     * {@value #RECORDING_STALL_MILLIS} ms while the stream is ahead of it, or (when {@code disconnected}) the stream
     * has lost the archive's subscription for as long. A full file system does that: the archive stops a recording
     * when it runs short of room, or its thread dies writing to a file it maps.
     *
     * @throws IllegalStateException saying so
     */
    public void checkRecording(boolean disconnected) {
        long now = System.nanoTime();
        // a leader that did not look for a second (the process was stopped, the machine paused) starts the stall's
        // count again: the archive's thread may not have run since either
        if (now - recordingLooked > 1_000_000_000L) recordingSeen = now;
        recordingLooked = now;
        boolean active = RecordingPos.isActive(counters, recordingCounter, recordingId);
        long position = active ? counters.getCounterValue(recordingCounter) : recorded;
        if (active && !disconnected && (position != recorded || position >= publication.position())) {
            recorded = position;
            recordingSeen = now;
            return;
        }
        if (active && now - recordingSeen < RECORDING_STALL_MILLIS * 1_000_000L) return;
        throw new IllegalStateException("the archive stopped recording the live stream (is its file system full? its"
                + " log says why): followers could no longer catch up");
    }

    /** How long the recording may stand still behind the stream (or the stream lack the archive) before it is lost. */
    static final long RECORDING_STALL_MILLIS = 5_000;

    /**
     * Drops the recording's segment files that end before {@code position}: a follower that needs what was in them
     * starts from a later snapshot instead. The archive refuses while a replay still reads one of them (a follower
     * catching up, anyone reading the recording): they are then kept, and a later call drops them.
     *
     * @return the recording's new start position
     */
    public long purgeBefore(long position) {
        long start = archive.getStartPosition(recordingId);
        long base = AeronArchive.segmentFileBasePosition(start, position, publication.termBufferLength(), SEGMENT_LENGTH);
        if (base <= start) return start;
        try {
            archive.purgeSegments(recordingId, base);
            return base;
        } catch (ArchiveException e) {
            // the archive's only word for it (Aeron gives the refusal no error code of its own)
            if (e.getMessage() == null || !e.getMessage().contains("replay in progress")) throw e;
            return start;
        }
    }

    @Override
    public void close() {
        String dir = driver.mediaDriver().aeronDirectoryName();
        CloseHelper.quietCloseAll(publication, archive, driver);
        Drivers.deleteDirectory(dir);
    }
}
