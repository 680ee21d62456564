package dev.mapsync.cli;

import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The training run of the JDK's AOT cache: {@code bin/mapsync} runs it once after a build, with
 * {@code -XX:AOTCacheOutput}, and the cache then holds the classes and linked call sites that the everyday
 * commands use (get, set, add, cas, lock, info, dump, JSON output, help) so that they start in a fraction of the
 * time. It works on maps of its own in a fresh folder, which it removes.
 */
@Command(name = "train", hidden = true, mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Run the everyday commands once on maps of its own (the AOT cache's training run).")
final class TrainCommand implements Runnable {
    /** The runs, in order; {@code DIR} is the training folder. */
    private static final List<List<String>> RUNS = List.of(
            List.of("create", "c", "--value", "i64", "--entries", "4"),
            List.of("set", "c", "0", "5"),
            List.of("get", "c", "0"),
            List.of("get", "c", "0", "--json"),
            List.of("add", "c", "0", "1"),
            List.of("cas", "c", "0", "6", "7"),
            List.of("lock", "c", "0", "--", "true"),
            List.of("create", "r", "--value", "id:i64,balance:i64,owner:char[16]", "--entries", "4"),
            List.of("set", "r", "1", "id=1,balance=10,owner=ada"),
            List.of("get", "r", "1", "--json"),
            List.of("add", "r", "1", "1", "--field", "balance"),
            List.of("create", "h", "--type", "hash", "--key", "char[16]", "--value", "i64", "--entries", "64"),
            List.of("set", "h", "ada", "3"),
            List.of("get", "h", "ada"),
            List.of("info", "c"),
            List.of("info", "c", "--json"),
            List.of("dump", "r"),
            List.of("list"),
            List.of("get", "--help"),
            List.of("--help"),
            List.of("rm", "c", "r", "h"));

    @Override
    public void run() {
        Path dir = folder();
        PrintWriter sink = new PrintWriter(Writer.nullWriter());
        try {
            for (List<String> run : RUNS) {
                String[] args = Stream.concat(Stream.of("--dir", dir.toString()), run.stream()).toArray(String[]::new);
                int code = Main.commandLine(sink, sink, args).execute(args);
                if (code != 0) throw new IllegalStateException("training run 'mapsync " + String.join(" ", run)
                        + "' exited " + code);
            }
        } finally {
            delete(dir);
        }
    }

    private static Path folder() {
        try {
            Path shm = Path.of("/dev/shm");
            return Files.isWritable(shm) ? Files.createTempDirectory(shm, "mapsync-train-") : Files.createTempDirectory("mapsync-train-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a folder for the training run", e);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the training folder " + dir, e);
        }
    }
}
