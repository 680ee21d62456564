package dev.mapsync.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.stream.Stream;

/** Private folders for maps made by tests, on tmpfs like the real default, and file fingerprints. */
public final class TestDirs {
    private TestDirs() {}

    /** A new folder under /dev/shm that only this user can write. */
    public static Path create() {
        try {
            return Files.createTempDirectory(Path.of("/dev/shm"), "mapsync-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes the folder and everything in it. */
    public static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A copy of a class folder or a jar that any user can read, for a child process that runs as another user
     * (uid 65534): the build may live under a folder only root may enter, such as /root. Delete it with
     * {@link #delete} (of its parent folder, {@link Path#getParent()}).
     */
    public static Path worldReadableCopy(Path classes) {
        try {
            Path folder = Files.createTempDirectory(Path.of("/tmp"), "mapsync-classes-");
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path copy = folder.resolve(classes.getFileName());
            try (Stream<Path> files = Files.walk(classes)) {
                for (Path f : files.toList()) {
                    Path target = copy.resolve(classes.relativize(f).toString());
                    if (Files.isDirectory(f)) Files.createDirectories(target);
                    else Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
                    Files.setPosixFilePermissions(target,
                            PosixFilePermissions.fromString(Files.isDirectory(f) ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The SHA-256 of a file's bytes, to show that a refused operation changed nothing. */
    public static String fingerprint(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
