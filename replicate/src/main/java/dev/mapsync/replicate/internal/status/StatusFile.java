package dev.mapsync.replicate.internal.status;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A status file: {@code key=value} lines, replaced whole (written beside it, then renamed over it) so that a reader
 * sees one complete version or the one before, never a mix. Its permission bits are its map's, without execute.
 */
public final class StatusFile {
    private static final int MAX = 64 * 1024;

    private StatusFile() {}

    /** {@return the status file of the map in {@code mapFile}: {@code <map file>.replication}} */
    public static Path beside(Path mapFile) {
        return mapFile.resolveSibling(mapFile.getFileName() + ".replication");
    }

    /** Replaces the file at {@code file} with {@code fields}, readable by whoever may read {@code mapFile}. */
    public static void write(Path file, Path mapFile, Map<String, String> fields) {
        StringBuilder text = new StringBuilder();
        fields.forEach((k, v) -> text.append(k).append('=').append(v.replace('\n', ' ')).append('\n'));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            try {
                Set<PosixFilePermission> mode = Files.getPosixFilePermissions(mapFile);
                mode.removeAll(Set.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
                        PosixFilePermission.OTHERS_EXECUTE));
                Files.setPosixFilePermissions(tmp, mode);
            } catch (NoSuchFileException | UnsupportedOperationException e) {
                // a bpf map's pin is not a file of this folder: the file keeps the default bits
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file + ": " + e.getMessage(), e);
        }
    }

    /** {@return the fields of the file, or empty when there is none} (at most the first 64 KiB are read) */
    public static Optional<Map<String, String>> read(Path file) {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            bytes = in.readNBytes(MAX);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) fields.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return Optional.of(fields);
    }

    /** Deletes the file if it is there. */
    public static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a status file left behind says "not running" once its process is gone
        }
    }
}
