package dev.mapsync.cli;

import dev.mapsync.Codec;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.Await;
import dev.mapsync.testkit.MapDir;
import dev.mapsync.testkit.TestDirs;
import dev.mapsync.testkit.TestJvm;
import dev.mapsync.launch.UdpPorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code mapsync replicate serve} and {@code follow}, each in its own process on loopback, and {@code replicate status}
 * on both sides: the replica in step with the leader, refusing writes, and both stopped cleanly by SIGTERM.
 */
class ReplicateCliTest {
    @RegisterExtension
    final MapDir leaderMaps = new MapDir("rl");
    @RegisterExtension
    final MapDir followerMaps = new MapDir("rf");

    /** Agrona (Aeron's) reads memory through jdk.internal.misc.Unsafe; the jar's manifest exports it, -cp does not. */
    private static final String ADD_EXPORTS = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";
    private static final int SECONDS = 60;

    private Path archive;
    private String name, listen;

    @BeforeEach
    void setUp() {
        archive = TestDirs.create();
        name = leaderMaps.name();
        listen = "127.0.0.1:" + UdpPorts.freePair();
    }

    @AfterEach
    void tearDown() {
        TestDirs.delete(archive);
    }

    private static ChildJvm mapsync(String... args) {
        return TestJvm.of(Main.class).jvmOptions(ADD_EXPORTS).args(args).start();
    }

    private ChildJvm serve() {
        ChildJvm leader = mapsync("replicate", "serve", "--dir=" + leaderMaps.dir(), name, "--listen", listen,
                "--archive", archive.toString());
        leader.awaitLine(serving(), SECONDS);
        return leader;
    }

    private String serving() {
        return "mapsync: serving " + name + " on " + listen + " (archive " + archive + ")";
    }

    private String following() {
        return "mapsync: following " + name + " from " + listen + " into " + followerMaps.dir().resolve(name);
    }

    /** {@code replicate status --json} of the map in {@code dir}, as its fields' JSON texts. */
    private Map<String, String> status(Path dir) {
        Cli status = Cli.in(dir, "replicate", "status", name, "--json").ok();
        return fields(status.out());
    }

    /** The fields of a flat JSON object (strings, numbers, booleans, null), each as its JSON text. */
    static Map<String, String> fields(String json) {
        Map<String, String> fields = new LinkedHashMap<>();
        Matcher m = Pattern.compile("\"([a-z_]+)\":(\"(?:[^\"\\\\]|\\\\.)*\"|[^,}]*)").matcher(json.strip());
        while (m.find()) fields.put(m.group(1), m.group(2));
        return fields;
    }

    /** The fields of {@code all} named {@code keys}, in that order. */
    private static List<String> pick(Map<String, String> all, String... keys) {
        return java.util.Arrays.stream(keys).map(k -> k + "=" + all.get(k)).toList();
    }

    @Test
    void aFollowerKeepsTheReplicaInStepRefusesWritesAndBothStopOnSigterm() throws Exception {
        try (SharedArray<Long> map = SharedArray.create(MapSpec.array(name, Codec.i64(), 32).dir(leaderMaps.dir()))) {
            for (int i = 0; i < 32; i++) map.set(i, i * 10L);
            try (ChildJvm leader = serve();
                 ChildJvm follower = mapsync("replicate", "follow", "--dir=" + followerMaps.dir(), name, "--from", listen)) {
                follower.awaitLine(following(), SECONDS);
                for (int i = 0; i < 32; i += 2) map.set(i, -i - 1L); // changes after the follower started

                String leaderDump = Cli.in(leaderMaps.dir(), "dump", name, "--json").ok().out();
                // the leader sent its snapshot (32 entries between its beginning and end) and the 16 changes
                Await.until("the replica to equal the leader, in step", () -> {
                    Map<String, String> l = status(leaderMaps.dir()), f = status(followerMaps.dir());
                    return "50".equals(l.get("changes")) && "50".equals(f.get("changes")) && "\"live\"".equals(f.get("state"))
                            && Cli.in(followerMaps.dir(), "dump", name, "--json").out().equals(leaderDump);
                });
                Map<String, String> l = status(leaderMaps.dir()), f = status(followerMaps.dir());
                assertEquals(List.of("role=\"leader\"", "map=\"" + name + "\"", "listen=\"" + listen + "\"",
                        "state=\"serving\"", "running=true", "pid=" + leader.pid(), "recording_id=0", "changes=50",
                        "lag_changes=0", "lag_ms=0", "snapshots=1"), pick(l, "role", "map", "listen", "state", "running",
                        "pid", "recording_id", "changes", "lag_changes", "lag_ms", "snapshots"));
                assertEquals(List.of("role=\"follower\"", "map=\"" + name + "\"", "leader=\"" + listen + "\"",
                        "state=\"live\"", "running=true", "pid=" + follower.pid(), "epoch=" + l.get("epoch"),
                        "recording_id=" + l.get("recording_id"), "changes=" + l.get("changes"), "lag_changes=0", "lag_ms=0",
                        "snapshots=" + l.get("snapshots")), pick(f, "role", "map", "leader", "state", "running", "pid",
                        "epoch", "recording_id", "changes", "lag_changes", "lag_ms", "snapshots"));
                // the leader's position goes on with its heartbeats; the follower's is the end of the last change
                assertTrue(Long.parseLong(f.get("position")) <= Long.parseLong(l.get("position")), l + " " + f);
                assertEquals("-1\n", Cli.in(followerMaps.dir(), "get", name, "0").ok().out());

                Cli set = Cli.in(followerMaps.dir(), "set", name, "1", "5");
                assertEquals(List.of(ExitCodes.PERMISSION, "", "mapsync: map '" + name + "' is a read replica of " + listen
                        + "; writes are refused: write on the leader\n"),
                        List.of(set.code(), set.out(), set.err()));
                assertEquals("10\n", Cli.in(followerMaps.dir(), "get", name, "1").ok().out(), "the replica is unchanged");

                follower.process().destroy(); // SIGTERM
                assertEquals(0, follower.await(SECONDS), follower.output());
                assertEquals(following() + "\n", follower.output());
                assertEquals(List.of("state=\"stopped\"", "running=false", "changes=50"),
                        pick(status(followerMaps.dir()), "state", "running", "changes"));

                leader.process().destroy();
                assertEquals(0, leader.await(SECONDS), leader.output());
                assertEquals(serving() + "\n", leader.output());
                assertEquals(List.of("state=\"stopped\"", "running=false", "changes=50"),
                        pick(status(leaderMaps.dir()), "state", "running", "changes"));
            }
        }
    }

    @Test
    void aFollowerThatCannotApplyTheLeadersMapSaysWhyAndExits3() throws Exception {
        try (SharedArray<Long> map = SharedArray.create(MapSpec.array(name, Codec.i64(), 8).dir(leaderMaps.dir()));
             SharedArray<Long> local = SharedArray.create(MapSpec.array(name, Codec.i64(), 8).dir(followerMaps.dir()));
             ChildJvm leader = serve();
             ChildJvm follower = mapsync("replicate", "follow", "--dir=" + followerMaps.dir(), name, "--from", listen)) {
            String why = "map '" + name + "' is a map of this host, not a read replica: a follower does not overwrite it"
                    + " (delete it with mapsync rm, or follow the leader into another name)";
            assertEquals(ExitCodes.INCOMPATIBLE, follower.await(SECONDS), follower.output());
            assertEquals(following() + "\nmapsync: replica '" + name + "' stopped following " + listen + ": " + why + "\n",
                    follower.output());
            assertEquals(List.of("state=\"failed: " + why + "\"", "running=false"),
                    pick(status(followerMaps.dir()), "state", "running"));
            leader.process().destroy();
            assertEquals(0, leader.await(SECONDS), leader.output());
        }
    }
}
