package dev.mapsync.testkit;

import dev.mapsync.Backend;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * C programs that share maps with Java: the examples in {@code examples/c} and the test programs in
 * {@code src/test/c}, built with gcc (with {@code -Werror}, so the library's header stays warning-free) into
 * {@code target/c} and linked with libmapsync ({@code clients/c}, built there by its own Makefile, with libbpf for
 * the bpf backend), once per test run. A test whose program cannot be built here, because gcc or (for the bpf
 * backend) libbpf is missing, is skipped by {@link Machine}, with the reason printed and noted for its backend.
 */
public final class CPrograms {
    private CPrograms() {}

    /** The folder of the example programs. */
    public static final Path EXAMPLES = Path.of("..", "examples", "c").toAbsolutePath().normalize();
    /** The folder of libmapsync: its Makefile, and mapsync.h in include/. */
    public static final Path LIBRARY = Path.of("..", "clients", "c").toAbsolutePath().normalize();
    /** core's test programs, whichever module's tests build them. */
    private static final Path TEST_SOURCES = Path.of("..", "core", "src", "test", "c").toAbsolutePath().normalize();
    private static final Path BENCH_PEERS = Path.of("..", "bench", "src", "main", "resources", "dev", "mapsync", "bench",
            "cross").toAbsolutePath().normalize();
    private static final Path OUT = Path.of("target", "c").toAbsolutePath();
    private static final List<String> FLAGS = List.of("-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror");

    private static final Map<String, Path> BUILT = new ConcurrentHashMap<>();

    /**
     * The example {@code examples/c/NAME.c}, built for {@code backend}: the bpf build defines
     * {@code MAPSYNC_WITH_LIBBPF} and links libbpf. Skips the test when it cannot be built here.
     */
    public static Path example(String name, Backend backend) {
        return build(EXAMPLES.resolve(name + ".c"), backend);
    }

    /** The test program {@code src/test/c/NAME.c}, built for {@code backend}. */
    public static Path testProgram(String name, Backend backend) {
        return build(TEST_SOURCES.resolve(name + ".c"), backend);
    }

    /**
     * A peer program of {@code mapsync bench}, {@code bench/src/main/resources/dev/mapsync/bench/cross/NAME.c}, built
     * for {@code backend}: tests measure against the same peer the benchmarks do.
     */
    public static Path benchPeer(String name, Backend backend) {
        return build(BENCH_PEERS.resolve(name + ".c"), backend);
    }

    private static Path build(Path source, Backend backend) {
        String gcc = Machine.requireCompiler(backend);
        boolean bpf = backend == Backend.BPF;
        if (bpf) Machine.requireLibbpf();
        String base = source.getFileName().toString().replace(".c", "") + (bpf ? "-bpf" : "");
        return BUILT.computeIfAbsent(base, b -> {
            Path out = OUT.resolve(b);
            List<String> command = new ArrayList<>(List.of(gcc));
            command.addAll(FLAGS);
            command.addAll(List.of("-I", LIBRARY.resolve("include").toString()));
            command.addAll(List.of("-o", out.toString(), source.toString(), library(gcc, bpf).toString()));
            if (bpf) command.add("-lbpf");
            command.add("-lm");
            Result r = run(Map.of(), command);
            if (r.exit() != 0) throw new AssertionError("cannot build " + source + ":\n" + r.out() + r.err());
            return out;
        });
    }

    /** libmapsync's static library, built (once per test run) by its Makefile into target/c/lib or lib-bpf. */
    private static synchronized Path library(String gcc, boolean bpf) {
        Path dir = OUT.resolve(bpf ? "lib-bpf" : "lib");
        Path archive = dir.resolve("libmapsync.a");
        if (!LIBRARIES_BUILT.add(bpf)) return archive;
        List<String> command = new ArrayList<>(List.of("make", "-s", "-C", LIBRARY.toString(), "CC=" + gcc,
                "CFLAGS=-O2 -Werror", "BUILD=" + dir, archive.toString()));
        if (bpf) command.add("WITH_LIBBPF=1");
        Result r = run(Map.of(), command);
        if (r.exit() != 0) {
            LIBRARIES_BUILT.remove(bpf);
            throw new AssertionError("cannot build libmapsync:\n" + r.out() + r.err());
        }
        return archive;
    }

    private static final Set<Boolean> LIBRARIES_BUILT = ConcurrentHashMap.newKeySet();

    /** What a finished program printed. */
    public record Result(int exit, String out, String err) {}

    /** Runs a command to its end (at most 120 s) with extra environment entries. */
    public static Result run(Map<String, String> env, List<String> command) {
        try {
            Files.createDirectories(OUT);
            Path out = Files.createTempFile(OUT, "run", ".out");
            Path err = Files.createTempFile(OUT, "run", ".err");
            try {
                ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
                pb.environment().putAll(env);
                Process p = pb.start();
                p.getOutputStream().close();
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError(String.join(" ", command) + " did not finish in 120 s");
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
