package dev.mapsync.bench.cross;

import dev.mapsync.launch.UdpPorts;
import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.ArchivingMediaDriver;
import io.aeron.archive.client.AeronArchive;
import io.aeron.archive.status.RecordingPos;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The limit of {@link ReplicationBench}'s link: Aeron alone carrying messages of a replication message's size, from a
 * publisher process to a subscriber process, each with its own embedded media driver, over the channels a leader and
 * follower use (UDP on loopback, the publication's control endpoint in dynamic mode, 8 MiB terms,
 * {@link ThreadingMode#SHARED} drivers in /dev/shm) and the same loops: the publisher offers as fast as it can,
 * spinning and then yielding while back-pressured (as a leader sends); the subscriber polls up to 64 fragments through
 * a {@link FragmentAssembler} and parks for 50 µs when there are none (as a follower). With {@code recorded}, an
 * embedded Aeron Archive records the publication as a leader's does, which shows what the recording costs.
 * The subscriber counts the messages of {@code seconds} after a warm-up of {@code warmup} seconds from its first.
 */
final class RawAeronBench {
    static final int STREAM = 1001;
    private static final String TERM_LENGTH = "8m";
    private static final int SEGMENT_LENGTH = 64 << 20;
    /**
     * How long the subscriber waits for its first message (the property {@code mapsync.bench.noMessageSeconds}, for a
     * test), and its exit status when none came.
     */
    private static final int NO_MESSAGE_SECONDS = Integer.getInteger("mapsync.bench.noMessageSeconds", 20);
    static final int NO_MESSAGE_EXIT = 3;

    /**
     * Messages per second the subscriber received.
     *
     * @param machine the whole machine's CPUs over the counted window, and other processes' part of them
     * @param cpu     each busy thread's share of a CPU over the counted window
     */
    record Result(String mode, int messageBytes, long messages, double seconds, double messagesPerSecond,
                  ThreadCpu.Machine machine, List<ThreadCpu.Share> cpu) {}

    private RawAeronBench() {}

    static Result run(boolean recorded, int messageBytes, double warmup, double seconds, Path archiveDir)
            throws Exception {
        try {
            return attempt(recorded, messageBytes, warmup, seconds, archiveDir);
        } catch (NoMessageException e) {
            // a subscriber that never got a first message was seen, rarely, its cause not found: both drivers' error
            // logs are on stderr, and the peer is measured again on new ports with new drivers (stderr says so)
            System.err.println(e.getMessage() + "; trying once more");
            return attempt(recorded, messageBytes, warmup, seconds, archiveDir);
        }
    }

    /** The subscriber received nothing at all: what {@link #run} tries once more. */
    static final class NoMessageException extends IllegalStateException {
        NoMessageException(String message) {
            super(message);
        }
    }

    private static Result attempt(boolean recorded, int messageBytes, double warmup, double seconds, Path archiveDir)
            throws Exception {
        String mode = recorded ? "aeron-recorded" : "aeron";
        int port = UdpPorts.freePair();
        String control = "127.0.0.1:" + port;
        String channel = "aeron:udp?control=" + control + "|control-mode=dynamic|term-length=" + TERM_LENGTH;
        String dir = newDirectory("raw-publisher");
        MediaDriver.Context dc = driverContext(dir);
        ArchivingMediaDriver archiving = null;
        MediaDriver driver = null;
        AeronArchive archive = null;
        Aeron aeron = null;
        Process child = null;
        try {
            Publication pub;
            if (recorded) {
                archiving = ArchivingMediaDriver.launch(dc.spiesSimulateConnection(true), new Archive.Context()
                        .aeronDirectoryName(dir)
                        .archiveDir(archiveDir.toFile())
                        .deleteArchiveOnStart(true)
                        .archiveId(ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE))
                        .controlChannel("aeron:udp?endpoint=127.0.0.1:" + (port + 1))
                        .replicationChannel("aeron:udp?endpoint=127.0.0.1:0")
                        .segmentFileLength(SEGMENT_LENGTH)
                        .recordingEventsEnabled(false)
                        .threadingMode(ArchiveThreadingMode.SHARED));
                archive = AeronArchive.connect(new AeronArchive.Context().aeronDirectoryName(dir)
                        .controlRequestChannel("aeron:ipc").controlResponseChannel("aeron:ipc"));
                pub = archive.addRecordedPublication(channel, STREAM);
                CountersReader counters = archive.context().aeron().countersReader();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (RecordingPos.findCounterIdBySession(counters, pub.sessionId(), archive.archiveId())
                        == CountersReader.NULL_COUNTER_ID) {
                    if (System.nanoTime() > deadline) throw new IllegalStateException("the archive did not record in 10 s");
                    Thread.yield();
                }
            } else {
                driver = MediaDriver.launch(dc);
                aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir));
                pub = aeron.addPublication(channel, STREAM);
            }
            child = Child.start(RawAeronBench.class, ReplicationBench.aeronProperties(), "subscriber", control,
                    Double.toString(warmup), Double.toString(seconds));
            Process subscriber = child;
            AtomicReference<String> result = new AtomicReference<>();
            AtomicReference<ThreadCpu.Sample> atStart = new AtomicReference<>(), atEnd = new AtomicReference<>();
            Map<String, Long> pids = Map.of("publisher", ProcessHandle.current().pid(), "subscriber", child.pid());
            Thread lines = Thread.ofPlatform().daemon(true).start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(subscriber.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        if (line.equals("start")) atStart.set(ThreadCpu.sample(pids));
                        else if (line.startsWith("end ")) {
                            atEnd.set(ThreadCpu.sample(pids));
                            result.set(line);
                        }
                    }
                } catch (java.io.IOException e) {
                    // the child ended
                }
            });
            UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(messageBytes));
            for (int i = 0; i < messageBytes; i += 8) message.putLong(Math.min(i, messageBytes - 8), i * 31L + 7);
            long sent = 0;
            int idle = 0;
            for (long turn = 0; ; turn++) {
                if ((turn & 1023) == 0 && !child.isAlive()) break;
                long r = pub.offer(message, 0, messageBytes);
                if (r > 0) {
                    sent++;
                    idle = 0;
                } else if (r == Publication.CLOSED || r == Publication.MAX_POSITION_EXCEEDED) {
                    throw new IllegalStateException(mode + ": the publication ended (" + Publication.errorString(r) + ")");
                } else if (++idle < 100) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
            int exit = child.waitFor();
            if (exit != 0) {
                String state = mode + ": the publication at position " + pub.position() + ", connected "
                        + pub.isConnected() + ", channel status " + pub.channelStatus();
                System.err.println(state + "; the publisher's driver's error log:");
                (recorded ? archiving.mediaDriver().context() : driver.context()).saveErrorLog(System.err);
                if (exit == NO_MESSAGE_EXIT) throw new NoMessageException(state + ": the subscriber received nothing");
                throw new IllegalStateException(mode + ": the subscriber failed (exit " + exit + ")");
            }
            lines.join(5000);
            if (result.get() == null) throw new IllegalStateException(mode + ": the subscriber printed no result");
            String[] f = result.get().split(" ");
            long messages = Long.parseLong(f[1]);
            double elapsed = Long.parseLong(f[2]) / 1e9;
            boolean sampled = atStart.get() != null && atEnd.get() != null;
            List<ThreadCpu.Share> cpu = sampled ? ThreadCpu.between(atStart.get(), atEnd.get(), 0.02) : List.of();
            ThreadCpu.Machine machine = sampled ? ThreadCpu.machine(atStart.get(), atEnd.get()) : null;
            if (sent < messages) throw new IllegalStateException(mode + ": received " + messages + " of " + sent + " sent");
            return new Result(mode, messageBytes, messages, elapsed, messages / elapsed, machine, cpu);
        } finally {
            if (child != null) child.destroyForcibly();
            CloseHelper.quietCloseAll(archive, aeron, archiving, driver);
            IoUtil.delete(new File(dir), true);
        }
    }

    /** The subscriber process: {@code subscriber CONTROL WARMUP SECONDS}; exit status 3 when no message came. */
    public static void main(String[] args) throws Exception {
        try {
            subscribe(args);
        } catch (NoMessageException e) {
            System.exit(NO_MESSAGE_EXIT); // after the driver was closed and its directory deleted
        }
    }

    private static void subscribe(String[] args) throws Exception {
        if (args.length != 4 || !args[0].equals("subscriber")) {
            throw new IllegalArgumentException("usage: subscriber HOST:PORT WARMUP_SECONDS SECONDS");
        }
        String control = args[1];
        long warmupNanos = (long) (Double.parseDouble(args[2]) * 1e9), windowNanos = (long) (Double.parseDouble(args[3]) * 1e9);
        String dir = newDirectory("raw-subscriber");
        long[] count = new long[1];
        try (MediaDriver driver = MediaDriver.launch(driverContext(dir));
             Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir));
             Subscription sub = aeron.addSubscription("aeron:udp?endpoint=127.0.0.1:0|control=" + control, STREAM)) {
            FragmentAssembler assembler = new FragmentAssembler((buffer, offset, length, header) -> count[0]++);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(NO_MESSAGE_SECONDS);
            while (count[0] == 0) {
                if (sub.poll(assembler, 64) == 0) LockSupport.parkNanos(50_000);
                if (System.nanoTime() > deadline) {
                    String seen = "subscriber: no message in " + NO_MESSAGE_SECONDS + " s; images " + sub.imageCount()
                            + ", channel status " + sub.channelStatus();
                    System.err.println(seen + "; its driver's error log:");
                    driver.context().saveErrorLog(System.err);
                    throw new NoMessageException(seen);
                }
            }
            long first = System.nanoTime(), start = 0, startCount = 0;
            boolean counting = false;
            while (true) {
                if (sub.poll(assembler, 64) == 0) LockSupport.parkNanos(50_000);
                long now = System.nanoTime();
                if (!counting && now - first >= warmupNanos) {
                    counting = true;
                    start = now;
                    startCount = count[0];
                    System.out.println("start");
                    System.out.flush();
                } else if (counting && now - start >= windowNanos) {
                    System.out.println("end " + (count[0] - startCount) + " " + (now - start));
                    System.out.flush();
                    break;
                }
            }
        } finally {
            IoUtil.delete(new File(dir), true);
        }
    }

    /** As a leader's and follower's drivers: one thread, a fresh directory in /dev/shm, deleted at the end. */
    static MediaDriver.Context driverContext(String dir) {
        return new MediaDriver.Context()
                .aeronDirectoryName(dir)
                .threadingMode(ThreadingMode.SHARED)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true);
    }

    static String newDirectory(String role) {
        return "/dev/shm/mapsync-bench-aeron-" + ProcessHandle.current().pid() + "-" + role + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong());
    }
}
