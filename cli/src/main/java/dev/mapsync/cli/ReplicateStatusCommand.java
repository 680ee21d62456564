package dev.mapsync.cli;

import dev.mapsync.CorruptMapException;
import dev.mapsync.MapLocation;
import dev.mapsync.MapNotFoundException;
import dev.mapsync.replicate.ReplicationStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Show where the leader or follower of a map on this host stands, as its status file (beside the map,",
                "MAP.replication, rewritten every 100-200 ms) says: role, peer, state, the stream's position and changes,",
                "a follower's lag in changes and in the leader's time, and snapshots. Exits 2 if the map was never",
                "replicated here. A status whose process is gone, or silent for 5 s, is not running and says so."},
        footer = {"", "Examples:", "  mapsync replicate status accounts", "  mapsync replicate status accounts --json"})
final class ReplicateStatusCommand extends ReplicateSubcommand implements Runnable {
    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public void run() {
        MapLocation at = location(null);
        ReplicationStatus s;
        try {
            s = ReplicationStatus.of(at).orElseThrow(() -> new MapNotFoundException("map '" + map + "' was never"
                    + " replicated on this host (no status file " + at.file() + ".replication)"));
        } catch (IllegalStateException e) {
            throw new CorruptMapException("the replication status of map '" + map + "' is corrupt: " + e.getMessage(), e);
        }
        if (json) out().println(Json.of(json(s)));
        else text(s);
    }

    /** The peer's key: a leader's address is where it listens, a follower's is its leader's. */
    private static String peerKey(ReplicationStatus s) {
        return s.role() == ReplicationStatus.Role.LEADER ? "listen" : "leader";
    }

    private static Map<String, Object> json(ReplicationStatus s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", s.role().name().toLowerCase(Locale.ROOT));
        m.put("map", s.map());
        m.put(peerKey(s), s.peer());
        m.put("state", s.state());
        m.put("running", s.running());
        m.put("pid", s.pid());
        m.put("epoch", s.epoch());
        m.put("recording_id", s.recordingId());
        m.put("position", s.position());
        m.put("changes", s.changes());
        m.put("lag_changes", s.lagChanges());
        m.put("lag_ms", s.lagMillis());
        m.put("snapshots", s.snapshots());
        m.put("last_snapshot", s.lastSnapshot() == null ? null : s.lastSnapshot().toString());
        m.put("updated", s.updated().toString());
        return m;
    }

    private void text(ReplicationStatus s) {
        line("role", s.role().name().toLowerCase(Locale.ROOT));
        line("map", s.map());
        line(peerKey(s), s.peer());
        line("state", s.state());
        line("process", "pid " + s.pid() + (s.running() ? " (running)" : " (not running)"));
        line("epoch", Long.toString(s.epoch()));
        line("recording", Long.toString(s.recordingId()));
        line("position", Long.toString(s.position()));
        line("changes", s.changes() + (s.role() == ReplicationStatus.Role.LEADER ? " sent" : " applied") + " in this epoch");
        if (s.role() == ReplicationStatus.Role.FOLLOWER) {
            line("lag", s.lagChanges() + " changes, " + s.lagMillis() + " ms behind the leader");
        }
        line("snapshots", s.snapshots() + (s.lastSnapshot() == null ? "" : ", the last ended " + s.lastSnapshot()));
        line("updated", s.updated() + " (" + age(s.updated()) + " ago)");
    }

    private static String age(Instant t) {
        return DurationText.of(java.time.Duration.between(t, Instant.now()).abs());
    }

    private void line(String key, String value) {
        out().printf("%-10s %s%n", key, value);
    }
}
