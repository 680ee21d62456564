package dev.mapsync.replicate;

import dev.mapsync.testkit.Await;
import dev.mapsync.Backend;
import dev.mapsync.Codec;
import dev.mapsync.HashSpec;
import dev.mapsync.MapLocation;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedHashMap;
import dev.mapsync.launch.ChildJvm;
import dev.mapsync.launch.UdpPorts;
import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.MapDir;
import dev.mapsync.replicate.internal.transport.Endpoint;
import dev.mapsync.testkit.TestDirs;
import io.aeron.Subscription;
import io.aeron.archive.client.AeronArchive;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Leaders and followers as users run them: each in a process of its own, the map written by a third (this one),
 * processes killed and started again. Every test ends with the replica equal to the leader's map, entry by entry.
 */
class ReplicationProcessesTest {
    @RegisterExtension
    final MapDir leaderMaps = new MapDir("pl");
    @RegisterExtension
    final MapDir followerMaps = new MapDir("pf");
    /** Recording segments as small as Aeron allows (the term length), so that a test's stream outgrows one. */
    private static final int SEGMENT = 8 << 20;
    private Path archive;
    private String listen;

    @BeforeEach
    void setUp() {
        archive = TestDirs.create();
        listen = "127.0.0.1:" + UdpPorts.freePair();
    }

    @AfterEach
    void tearDown() {
        TestDirs.delete(archive);
    }

    static ChildJvm start(String... args) {
        ChildJvm child = dev.mapsync.testkit.TestJvm.of(ReplicationChild.class)
                .jvmOptions("--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED").args(args).start();
        child.awaitLine(args[0].equals("leader") ? "serving" : "following", 60);
        return child;
    }

    private ChildJvm leader(String name, Backend backend) {
        return start("leader", leaderMaps.dir().toString(), name, backend.name(), listen, archive.toString(), "1000000");
    }

    /** Follows into the replica named as the follower folder's map: a bpf pin's name is the host's, not a folder's. */
    private ChildJvm follower(Backend backend) {
        return start("follower", followerMaps.dir().toString(), followerMaps.name(), backend.name(), listen);
    }

    private MapLocation replica(Backend backend) {
        return MapSpec.existing(followerMaps.name()).dir(followerMaps.dir()).backend(backend);
    }

    /** In step: the replica's status says it is live and has taken every message the leader sent. */
    private static boolean inStep(MapLocation replica, MapLocation leader) {
        ReplicationStatus f = ReplicationStatus.of(replica).orElse(null), l = ReplicationStatus.of(leader).orElse(null);
        return f != null && l != null && f.state().equals("live") && f.lagChanges() == 0 && f.changes() == l.changes();
    }

    private static ReplicationStatus status(MapLocation at) {
        return ReplicationStatus.of(at).orElseThrow(() -> new AssertionError("no status file for " + at));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aKilledFollowerResumesWhereItStoppedOnRestart(Backend backend) {
        String name = leaderMaps.name();
        var spec = Machine.on(backend, MapSpec.array(name, Codec.i64(), 2000).dir(leaderMaps.dir()));
        MapLocation replica = replica(backend);
        SplittableRandom random = new SplittableRandom(7);
        try (var map = SharedArray.create(spec); ChildJvm leader = leader(name, backend)) {
            for (int i = 0; i < 2000; i++) map.set(i, random.nextLong());
            long epoch;
            String before;
            try (ChildJvm follower = follower(backend)) {
                Await.until("the replica to equal the leader's map and be in step", () -> Replicas.sameArrays(map, replica)
                        && inStep(replica, spec.location()), () -> ReplicationStatus.of(replica) + "\n" + follower.output()
                        + "\nleader: " + leader.output());
                epoch = status(replica).epoch();
                follower.kill();
                before = status(replica) + " / leader " + status(spec.location());
            }
            assertTrue(!status(replica).running(), "a killed follower's status says it is not running");
            for (int n = 0; n < 20_000; n++) map.set(random.nextInt(2000), random.nextLong());
            try (ChildJvm follower = follower(backend)) {
                // had it started over, it would have taken the leader's first snapshot twice, and counted one more
                Await.until("the restarted follower to catch up, having taken each of the leader's snapshots once",
                        () -> Replicas.sameArrays(map, replica) && inStep(replica, spec.location())
                                && status(replica).snapshots() == status(spec.location()).snapshots(),
                        () -> status(replica) + "\nleader: " + status(spec.location()) + "\nbefore: " + before
                                + "\n" + follower.output());
                ReplicationStatus s = status(replica);
                assertEquals(epoch, s.epoch());
                assertTrue(s.running());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aKilledLeaderLeavesTheReplicaAsItWasAndARestartedLeaderBringsItInStep(Backend backend) {
        String name = leaderMaps.name();
        HashSpec<Long, Long> spec = Machine.on(backend, HashSpec.of(name, Codec.i64(), Codec.i64(), 10_000)
                .dir(leaderMaps.dir()));
        MapLocation replica = replica(backend);
        try (var map = SharedHashMap.create(spec); ChildJvm follower = follower(backend)) {
            for (long k = 0; k < 1000; k++) map.put(k, k * k);
            long firstEpoch;
            try (ChildJvm leader = leader(name, backend)) {
                Await.until("the replica to equal the leader's map", () -> Replicas.contents(spec.location()).equals(Replicas.contents(replica)));
                firstEpoch = status(replica).epoch();
                leader.kill();
            }
            Map<Object, Object> before = Replicas.contents(replica);
            Await.until("the follower to say the leader is unreachable",
                    () -> status(replica).state().equals("leader unreachable"));
            assertTrue(status(replica).running());
            for (long k = 0; k < 1000; k += 2) map.remove(k);
            for (long k = 5000; k < 5300; k++) map.put(k, -k);
            assertEquals(before, Replicas.contents(replica), "the replica serves the last state while its leader is down");
            assertEquals(1000, before.size());
            try (ChildJvm leader = leader(name, backend)) {
                Await.until("the replica to equal the restarted leader's map and be in step",
                        () -> Replicas.contents(spec.location()).equals(Replicas.contents(replica)) && inStep(replica, spec.location()));
                assertEquals(800, Replicas.contents(replica).size());
                ReplicationStatus s = status(replica);
                assertNotEquals(firstEpoch, s.epoch(), "a restarted leader has a new epoch");
                assertEquals(2, s.snapshots());
            }
        }
    }

    @Test
    void aFollowerWhoseResumePointWasPurgedCatchesUpFromALaterSnapshot() throws Exception {
        String name = leaderMaps.name();
        int entries = 100_000; // a snapshot of ~9.6 MB: more than a segment
        var spec = MapSpec.array(name, Codec.i64(), entries).dir(leaderMaps.dir());
        MapLocation replica = replica(Backend.SHM);
        SplittableRandom random = new SplittableRandom(5);
        try (var map = SharedArray.create(spec);
             ChildJvm leader = dev.mapsync.testkit.TestJvm.of(ReplicationChild.class)
                     .jvmOptions("--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                             "-Dmapsync.replicate.segmentLength=" + SEGMENT)
                     .args("leader", leaderMaps.dir().toString(), name, "SHM", listen, archive.toString(), "1000000").start()) {
            leader.awaitLine("serving", 60);
            try (ChildJvm follower = follower(Backend.SHM)) {
                Await.until("the replica to be in step", () -> Replicas.sameArrays(map, replica) && inStep(replica, spec.location()));
                follower.kill();
            }
            long resumeFrom = Long.parseLong(Files.readAllLines(replica.file().resolveSibling(replica.file().getFileName()
                    + ".replication")).stream().filter(l -> l.startsWith("resume-position=")).findFirst().orElseThrow()
                    .substring("resume-position=".length()));
            Path segment = archive.resolve(status(spec.location()).recordingId() + "-" + (resumeFrom - resumeFrom % SEGMENT) + ".rec");
            assertTrue(Files.exists(segment), segment + " holds where the follower stopped");
            burstsOfSnapshots(leader, map, spec.location(), random, 3);
            Await.until("the leader to purge the segment the follower would resume in", () -> !Files.exists(segment),
                    () -> status(spec.location()) + "\n" + Arrays.toString(archive.toFile().list()));
            try (ChildJvm follower = follower(Backend.SHM)) {
                Await.until("the follower to catch up from a later snapshot",
                        () -> Replicas.sameArrays(map, replica) && inStep(replica, spec.location()),
                        () -> status(replica) + "\n" + follower.output());
            }
        }
    }

    /**
     * The archive refuses to purge a segment a replay still reads (a follower catching up, or anyone reading the
     * recording): the leader purges it after a later snapshot instead of failing.
     */
    @Test
    void aPurgeThatAReplayHoldsUpWaitsForALaterSnapshot() throws Exception {
        String name = leaderMaps.name();
        int entries = 100_000; // a snapshot of ~9.6 MB: more than a segment
        var spec = MapSpec.array(name, Codec.i64(), entries).dir(leaderMaps.dir());
        SplittableRandom random = new SplittableRandom(7);
        String dir = "/dev/shm/mapsync-aeron-" + ProcessHandle.current().pid() + "-reader-" + System.nanoTime();
        int replayPort = UdpPorts.freePair();
        try (var map = SharedArray.create(spec);
             ChildJvm leader = dev.mapsync.testkit.TestJvm.of(ReplicationChild.class)
                     .jvmOptions("--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                             "-Dmapsync.replicate.segmentLength=" + SEGMENT)
                     .args("leader", leaderMaps.dir().toString(), name, "SHM", listen, archive.toString(), "1000000")
                     .start()) {
            leader.awaitLine("serving", 60);
            long recording = status(spec.location()).recordingId();
            Endpoint leaderAt = Endpoint.parse(listen);
            Path first = archive.resolve(recording + "-0.rec");
            try (MediaDriver driver = MediaDriver.launch(new MediaDriver.Context().aeronDirectoryName(dir)
                         .threadingMode(ThreadingMode.SHARED).dirDeleteOnStart(true).dirDeleteOnShutdown(true));
                 AeronArchive reader = AeronArchive.connect(new AeronArchive.Context().aeronDirectoryName(dir)
                         .controlRequestChannel("aeron:udp?endpoint=" + leaderAt.host() + ":" + (leaderAt.port() + 1))
                         .controlResponseChannel("aeron:udp?endpoint=127.0.0.1:0"));
                 Subscription never = reader.context().aeron().addSubscription(
                         "aeron:udp?endpoint=127.0.0.1:" + replayPort, 7)) {
                // a replay from the start that is never read: it stays in the first segment
                String channel = "aeron:udp?endpoint=127.0.0.1:" + replayPort;
                long replay = reader.startReplay(recording, 0, AeronArchive.NULL_LENGTH, channel, 7);
                Await.until("the replay to connect", never::isConnected);
                burstsOfSnapshots(leader, map, spec.location(), random, 3);
                assertEquals("serving", status(spec.location()).state(), leader.output());
                assertTrue(Files.exists(first), "the segment the replay reads is kept");
                reader.stopReplay(replay);
            }
            // the archive ends the replay's session in its own time: a snapshot after that purges the segment
            for (int burst = 0; burst < 5 && Files.exists(first); burst++) {
                burstsOfSnapshots(leader, map, spec.location(), random, 1);
            }
            Await.until("the leader to purge the first segment once no replay reads it", () -> !Files.exists(first),
                    () -> status(spec.location()) + "\n" + Arrays.toString(archive.toFile().list()));
            assertEquals("serving", status(spec.location()).state(), leader.output());
        }
    }

    /**
     * Bursts of changes that overflow the change log (4096 changes) while the leader is stopped, so that it cannot
     * keep up with them: each makes it send the whole map again.
     */
    private static void burstsOfSnapshots(ChildJvm leader, SharedArray<Long> map, MapLocation at,
                                          SplittableRandom random, int bursts) throws Exception {
        for (int burst = 0; burst < bursts; burst++) {
            long before = status(at).snapshots();
            signal(leader, "STOP");
            Await.until("the leader to stop", () -> {
                assertTrue(leader.process().isAlive(), () -> "the leader ended: " + leader.output());
                return stopped(leader);
            });
            for (int n = 0; n < 50_000; n++) map.set(random.nextInt(map.length()), random.nextLong());
            signal(leader, "CONT");
            Await.until("the leader to send a snapshot", () -> status(at).snapshots() > before,
                    () -> status(at) + "\n" + leader.output());
        }
    }

    @Test
    void aLateFollowerOfALeaderThatMissedChangesGetsEveryValue() {
        String name = leaderMaps.name();
        HashSpec<Long, Long> spec = HashSpec.of(name, Codec.i64(), Codec.i64(), 50_000).changelogCapacity(16)
                .dir(leaderMaps.dir());
        MapLocation replica = replica(Backend.SHM);
        try (var map = SharedHashMap.create(spec); ChildJvm leader = leader(name, Backend.SHM)) {
            SplittableRandom random = new SplittableRandom(11);
            for (int n = 0; n < 100_000; n++) {
                long k = random.nextLong(40_000);
                if (random.nextInt(4) == 0) map.remove(k);
                else map.put(k, random.nextLong());
            }
            try (ChildJvm follower = follower(Backend.SHM)) {
                Await.until("the late replica to equal the leader's map",
                        () -> Replicas.contents(spec.location()).equals(Replicas.contents(replica)));
                assertEquals(Replicas.contents(spec.location()).size(), Replicas.contents(replica).size());
            }
        }
    }

    /** Sends {@code child} the signal {@code name} ("STOP", "CONT"). */
    private static void signal(ChildJvm child, String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(child.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + name);
    }

    /** True once every thread of {@code child} is stopped: its state in /proc is T. */
    private static boolean stopped(ChildJvm child) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(child.pid()), "stat"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return stat.substring(stat.lastIndexOf(')') + 2).startsWith("T");
    }
}
