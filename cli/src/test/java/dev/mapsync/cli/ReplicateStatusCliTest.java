package dev.mapsync.cli;

import dev.mapsync.Codec;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedRing;
import dev.mapsync.testkit.MapDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * {@code mapsync replicate status} of a status file as a follower left it, and what {@code replicate} says of what it
 * cannot do, each in one line with its exit code. No Aeron: these run in this JVM.
 */
class ReplicateStatusCliTest {
    @RegisterExtension
    final MapDir maps = new MapDir("rs");

    /** A pid no process has: Linux's pids stop at 2^22. */
    private static final long GONE = Integer.MAX_VALUE;

    private Cli fails(int code, String line, String... args) {
        Cli r = Cli.in(maps.dir(), args);
        assertEquals(List.of(code, "", "mapsync: " + line + "\n"), List.of(r.code(), r.out(), r.err()), String.join(" ", args));
        return r;
    }

    @Test
    void theStatusOfAFollowerWhoseProcessIsGone() throws Exception {
        String name = maps.name();
        Instant updated = Instant.parse("2026-01-02T03:04:06Z");
        ReplicationStatusFiles.follower(maps.dir(), name, GONE, "live", updated);
        assertEquals("{\"role\":\"follower\",\"map\":\"" + name + "\",\"leader\":\"10.0.0.5:7400\",\"state\":\"not running"
                + " (last: live)\",\"running\":false,\"pid\":" + GONE + ",\"epoch\":42,\"recording_id\":3,\"position\":4096,"
                + "\"changes\":120,\"lag_changes\":2,\"lag_ms\":15,\"snapshots\":1,\"last_snapshot\":\"2026-01-02T03:04:05Z\","
                + "\"updated\":\"2026-01-02T03:04:06Z\"}\n", Cli.in(maps.dir(), "replicate", "status", name, "--json").ok().out());
        List<String> text = Cli.in(maps.dir(), "replicate", "status", name).ok().out().lines().toList();
        assertEquals(List.of(
                "role       follower",
                "map        " + name,
                "leader     10.0.0.5:7400",
                "state      not running (last: live)",
                "process    pid " + GONE + " (not running)",
                "epoch      42",
                "recording  3",
                "position   4096",
                "changes    120 applied in this epoch",
                "lag        2 changes, 15 ms behind the leader",
                "snapshots  1, the last ended 2026-01-02T03:04:05Z"), text.subList(0, text.size() - 1));
        assertTrue(text.getLast().startsWith("updated    2026-01-02T03:04:06Z ("), text.getLast());
    }

    @Test
    void aStoppedOrFailedFollowerSaysSoAsItIs() throws Exception {
        String name = maps.name();
        long me = ProcessHandle.current().pid();
        ReplicationStatusFiles.follower(maps.dir(), name, me, "stopped", Instant.now());
        assertEquals(List.of("state=\"stopped\"", "running=false"), List.of(
                "state=" + status(name).get("state"), "running=" + status(name).get("running")));
        ReplicationStatusFiles.follower(maps.dir(), name, me, "failed: a message type 9 is unknown", Instant.now());
        assertEquals(List.of("\"failed: a message type 9 is unknown\"", "false"),
                List.of(status(name).get("state"), status(name).get("running")));
        ReplicationStatusFiles.follower(maps.dir(), name, me, "live", Instant.now());
        assertEquals(List.of("\"live\"", "true"), List.of(status(name).get("state"), status(name).get("running")));
    }

    private java.util.Map<String, String> status(String name) {
        return ReplicateCliTest.fields(Cli.in(maps.dir(), "replicate", "status", name, "--json").ok().out());
    }

    @Test
    void aMapNeverReplicatedHereAndAStatusFileThatIsNotOne() throws Exception {
        String name = maps.name();
        fails(ExitCodes.NOT_FOUND, "map '" + name + "' was never replicated on this host (no status file "
                + maps.dir().resolve(name) + ".replication)", "replicate", "status", name);
        Files.writeString(maps.dir().resolve(name + ".replication"), "role=follower\nmap=" + name + "\n");
        fails(ExitCodes.INCOMPATIBLE, "the replication status of map '" + name + "' is corrupt: not a replication status"
                + " file: no 'pid' line", "replicate", "status", name, "--json");
    }

    @Test
    void whatServeAndFollowRefuseBeforeStartingAeron() {
        String name = maps.name();
        Cli none = Cli.in(maps.dir(), "replicate");
        assertEquals(List.of(ExitCodes.USAGE, "mapsync: a replicate command is required (serve, follow, status)\n"
                + "Try 'mapsync replicate --help' for more information.\n"), List.of(none.code(), none.err()));
        fails(ExitCodes.NOT_FOUND, "no map '" + name + "' (no file " + maps.dir().resolve(name) + ")",
                "replicate", "serve", name, "--listen", "127.0.0.1:7400");
        try (SharedRing ring = SharedRing.create(MapSpec.ring(name, 4096).dir(maps.dir()))) {
            fails(ExitCodes.INCOMPATIBLE, "map '" + name + "' is a ring map; mapsync replicate serve works on array and"
                    + " hash maps", "replicate", "serve", name, "--listen", "127.0.0.1:7400");
        }
        fails(ExitCodes.USAGE, "--snapshot-every must be at least 1, not 0", "replicate", "serve", name, "--listen",
                "127.0.0.1:7400", "--snapshot-every", "0");
        Cli missing = Cli.in(maps.dir(), "replicate", "follow", name);
        assertEquals(List.of(ExitCodes.USAGE, "mapsync: Missing required option: '--from=HOST:PORT'"),
                List.of(missing.code(), missing.err().lines().findFirst().orElseThrow()));
    }

    @Test
    void withoutJdkInternalMiscExportedAeronIsNotStarted() {
        String name = maps.name();
        // the tests run without the export that the jar's manifest gives
        assumeFalse(Object.class.getModule().isExported("jdk.internal.misc", org.agrona.DirectBuffer.class.getModule()));
        try (SharedArray<Long> map = SharedArray.create(MapSpec.array(name, Codec.i64(), 4).dir(maps.dir()))) {
            String fix = " needs java.base/jdk.internal.misc exported to Agrona, with which Aeron reads memory: run java"
                    + " with --add-exports java.base/jdk.internal.misc=ALL-UNNAMED (the manifest of mapsync.jar gives"
                    + " it, so bin/mapsync and java -jar have it)";
            fails(ExitCodes.OTHER, "mapsync replicate serve" + fix, "replicate", "serve", name, "--listen", "127.0.0.1:7400");
            fails(ExitCodes.OTHER, "mapsync replicate follow" + fix, "replicate", "follow", name, "--from", "127.0.0.1:7400");
        }
    }
}
