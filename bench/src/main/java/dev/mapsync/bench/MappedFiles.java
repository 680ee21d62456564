package dev.mapsync.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** The peers' setting: a plain file in /dev/shm mapped with the JDK's own calls. */
public final class MappedFiles {
    private MappedFiles() {}

    /** A scratch folder on tmpfs for one benchmark run. */
    public static Path tempDir() {
        try {
            return Files.createTempDirectory(Path.of("/dev/shm"), "mapsync-bench-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file of {@code size} bytes mapped as a memory segment (the raw-VarHandle baseline). */
    public static MemorySegment segment(Path file, long size, Arena arena) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ch.truncate(size);
            return ch.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file of {@code size} bytes mapped as a byte buffer (what Agrona's UnsafeBuffer wraps). */
    public static MappedByteBuffer buffer(Path file, long size) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ch.truncate(size);
            return ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void deleteTree(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
