package dev.mapsync.replicate.internal.status;

import dev.mapsync.replicate.ReplicationStatus;
import dev.mapsync.replicate.ReplicationStatus.Role;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A {@link ReplicationStatus} as the lines of a status file, and back. */
public final class StatusFields {
    private StatusFields() {}

    /** {@return the status as lines, in the order {@code mapsync replicate status} prints them} */
    public static Map<String, String> of(ReplicationStatus s) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("role", s.role().name().toLowerCase(Locale.ROOT));
        f.put("map", s.map());
        f.put(peerKey(s.role()), s.peer());
        f.put("state", s.state());
        f.put("pid", Long.toString(s.pid()));
        f.put("updated", Long.toString(s.updated().toEpochMilli()));
        f.put("epoch", Long.toString(s.epoch()));
        f.put("recording", Long.toString(s.recordingId()));
        f.put("position", Long.toString(s.position()));
        f.put("changes", Long.toString(s.changes()));
        f.put("lag-changes", Long.toString(s.lagChanges()));
        f.put("lag-ms", Long.toString(s.lagMillis()));
        f.put("snapshots", Long.toString(s.snapshots()));
        f.put("last-snapshot", s.lastSnapshot() == null ? "" : Long.toString(s.lastSnapshot().toEpochMilli()));
        return f;
    }

    /**
     * Reads a status from its lines. A status that says it stopped or failed is not running; one whose process is
     * gone (or has not updated it for 5 s) is not either, and its state says so.
     *
     * @throws IllegalStateException if a line is missing or malformed
     */
    public static ReplicationStatus parse(Map<String, String> f) {
        try {
            Role role = Role.valueOf(f.getOrDefault("role", "?").toUpperCase(Locale.ROOT));
            long pid = number(f, "pid");
            Instant updated = Instant.ofEpochMilli(number(f, "updated"));
            String state = required(f, "state");
            // a failed loop writes its status once more and never again: its process may live on (a library's)
            boolean ended = state.equals("stopped") || state.startsWith("failed");
            boolean running = !ended && ReplicationStatus.isCurrent(pid, updated);
            String last = f.getOrDefault("last-snapshot", "");
            return new ReplicationStatus(role, required(f, "map"), required(f, peerKey(role)),
                    running || ended ? state : "not running (last: " + state + ")", pid, running, number(f, "epoch"),
                    number(f, "recording"), number(f, "position"), number(f, "changes"), number(f, "lag-changes"),
                    number(f, "lag-ms"), number(f, "snapshots"),
                    last.isEmpty() ? null : Instant.ofEpochMilli(Long.parseLong(last)), updated);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("not a replication status file: " + e.getMessage(), e);
        }
    }

    private static String peerKey(Role role) {
        return role == Role.LEADER ? "listen" : "leader";
    }

    private static String required(Map<String, String> f, String key) {
        String v = f.get(key);
        if (v == null) throw new IllegalArgumentException("no '" + key + "' line");
        return v;
    }

    /** A number field; throws IllegalArgumentException (naming the field) when it is missing or not a number. */
    public static long number(Map<String, String> f, String key) {
        String v = required(f, key);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + key + "' is " + v + ", not a number");
        }
    }
}
