package dev.mapsync.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Status files as a leader or follower writes them beside its map ({@code <map>.replication}, docs of module
 * replicate: key=value lines), with known figures, for the commands that read them.
 */
final class ReplicationStatusFiles {
    private ReplicationStatusFiles() {}

    /**
     * Writes the status of a follower of 10.0.0.5:7400 in process {@code pid}: epoch 42, recording 3, position 4096,
     * 120 changes applied, 2 behind and 15 ms, 1 snapshot that ended at 2026-01-02T03:04:05Z.
     */
    static Path follower(Path dir, String name, long pid, String state, Instant updated) throws IOException {
        return write(dir, name, "role=follower", "map=" + name, "leader=10.0.0.5:7400", "state=" + state, "pid=" + pid,
                "updated=" + updated.toEpochMilli(), "epoch=42", "recording=3", "position=4096", "changes=120",
                "lag-changes=2", "lag-ms=15", "snapshots=1", "last-snapshot=1767323045000", "resume-seq=118",
                "resume-position=4000");
    }

    /** Writes the status of a leader listening on 10.0.0.5:7400 in process {@code pid}: position 8192, 2 snapshots. */
    static Path leader(Path dir, String name, long pid, String state, Instant updated) throws IOException {
        return write(dir, name, "role=leader", "map=" + name, "listen=10.0.0.5:7400", "state=" + state, "pid=" + pid,
                "updated=" + updated.toEpochMilli(), "epoch=42", "recording=3", "position=8192", "changes=122",
                "lag-changes=0", "lag-ms=0", "snapshots=2", "last-snapshot=1767323045000");
    }

    private static Path write(Path dir, String name, String... lines) throws IOException {
        Path file = dir.resolve(name + ".replication");
        Files.writeString(file, String.join("\n", lines) + "\n");
        return file;
    }
}
