package dev.mapsync.internal.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What marks a read replica besides its header flag ({@link Header#FLAG_REPLICA}): the follower's status file beside
 * the map file, {@code <file>.replication} (docs/FORMAT.md §12), whose {@code leader=} line names the leader. Read
 * only to say who to write to when a write is refused, so anything odd in it (missing, a link, too long, characters
 * no address has) gives an empty name, never a failure.
 */
public final class ReplicaMark {
    /** The status file's suffix. */
    public static final String SUFFIX = ".replication";
    private static final int MAX_READ = 4096, MAX_LEADER = 255;

    private ReplicaMark() {}

    /** {@return the status file of the map in {@code mapFile}} */
    public static Path statusFile(Path mapFile) {
        return mapFile.resolveSibling(mapFile.getFileName() + SUFFIX);
    }

    /**
     * {@return for a handle of {@code region} that must refuse writes because its map is a replica it does not keep
     * (it was not opened by the follower, {@code follower} false): the leader to name, or empty when unknown; else null}
     */
    public static String refusingLeader(MapRegion region, boolean follower) {
        return region.header().replica() && !follower ? leaderOf(region.file()) : null;
    }

    /** {@return the leader that the follower of the map in {@code mapFile} recorded, or empty} */
    public static String leaderOf(Path mapFile) {
        byte[] head;
        try (InputStream in = Files.newInputStream(statusFile(mapFile), StandardOpenOption.READ,
                LinkOption.NOFOLLOW_LINKS)) {
            head = in.readNBytes(MAX_READ);
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            return "";
        }
        for (String line : new String(head, StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("leader=")) {
                String leader = line.substring("leader=".length()).strip();
                return leader.length() <= MAX_LEADER && leader.matches("[A-Za-z0-9.:_\\[\\]-]+") ? leader : "";
            }
        }
        return "";
    }
}
