package dev.mapsync.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A separate JVM running a main class from the tests' code: cross-process behaviour is only proven by separate
 * processes. The child gets its code as this JVM has it ({@link #codeOptions}). Output goes to a file so a chatty
 * child never blocks on a full pipe.
 */
public final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final Path output;

    private ChildJvm(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** Starts {@code mainClass} with {@code args} in a new JVM with native access enabled. */
    public static ChildJvm start(Class<?> mainClass, String... args) {
        return start(List.of(), mainClass, args);
    }

    /** Starts a child with extra environment entries, given as {@code NAME=value}. */
    public static ChildJvm start(List<String> env, Class<?> mainClass, String... args) {
        return start(env, List.of(), mainClass, args);
    }

    /** Starts a child with extra JVM options (such as {@code -Xint}). */
    public static ChildJvm startWithOptions(List<String> jvmOptions, Class<?> mainClass, String... args) {
        return start(List.of(), jvmOptions, mainClass, args);
    }

    private static ChildJvm start(List<String> env, List<String> jvmOptions, Class<?> mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:+UseSerialGC");
        command.add("-Xmx128m");
        command.addAll(jvmOptions);
        command.addAll(codeOptions(UnaryOperator.identity()));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        return startCommand(env, command);
    }

    /**
     * The java options, up to the main class's name, that give a child JVM the code this JVM runs, with native access
     * for mapsync. On the class path (the CLI's tests, the benchmarks) that is this JVM's class path. On the module
     * path (core's tests, which Surefire patches into the module {@code dev.mapsync}) it is the same module path and
     * module, with the test classes patched in and the test libraries on the class path, so that a child runs as
     * the tests do. {@code place} maps each folder or jar to the path the child reads it from, or to null to leave it
     * out (a test library that a child of another user does not need, say).
     */
    public static List<String> codeOptions(UnaryOperator<Path> place) {
        Module module = ChildJvm.class.getModule();
        List<Path> classPath = entries("java.class.path");
        if (!module.isNamed()) {
            return List.of("--enable-native-access=ALL-UNNAMED", "-cp", joined(classPath, place));
        }
        String name = module.getName();
        Path tests = classPath.stream()
                .filter(e -> Files.isRegularFile(e.resolve(ChildJvm.class.getName().replace('.', '/') + ".class")))
                .findFirst().orElseThrow(() -> new IllegalStateException("no folder of the class path holds "
                        + ChildJvm.class.getName() + ": " + classPath));
        List<String> options = new ArrayList<>(List.of("--enable-native-access=" + name,
                "--module-path", joined(entries("jdk.module.path"), place),
                "--patch-module", name + "=" + Objects.requireNonNull(place.apply(tests), "the test classes"),
                "--add-modules", name, "--add-reads", name + "=ALL-UNNAMED"));
        List<Path> libraries = classPath.stream().filter(e -> !e.equals(tests)).toList();
        String libraryPath = joined(libraries, place);
        if (!libraryPath.isEmpty()) options.addAll(List.of("-cp", libraryPath));
        return options;
    }

    private static List<Path> entries(String property) {
        String value = System.getProperty(property, "");
        List<Path> entries = new ArrayList<>();
        for (String e : value.split(File.pathSeparator)) {
            if (!e.isEmpty() && Files.exists(Path.of(e))) entries.add(Path.of(e));
        }
        return entries;
    }

    private static String joined(List<Path> entries, UnaryOperator<Path> place) {
        return String.join(File.pathSeparator,
                entries.stream().map(place).filter(Objects::nonNull).map(Path::toString).toList());
    }

    /**
     * Starts any command line with the same handling of its output: a JVM run as another user through
     * {@code setpriv}, say ({@link OtherUser#javaAs}).
     */
    public static ChildJvm startCommand(List<String> env, List<String> command) {
        try {
            Path out = Files.createTempFile("mapsync-child", ".log");
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
            for (String e : env) pb.environment().put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1));
            return new ChildJvm(pb.start(), out);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a child JVM: " + e, e);
        }
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    /** Waits for the child and returns its exit code; fails the test if it takes longer than {@code seconds}. */
    public int await(long seconds) {
        try {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("child " + pid() + " did not finish in " + seconds + " s; output:\n" + output());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Waits for a zero exit code; fails with the child's output otherwise. */
    public void awaitSuccess(long seconds) {
        int code = await(seconds);
        if (code != 0) throw new AssertionError("child " + pid() + " exited with " + code + "; output:\n" + output());
    }

    /** Everything the child printed so far. */
    public String output() {
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    /** Waits until the child prints a line equal to {@code line}. */
    public void awaitLine(String line, long seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (output().lines().anyMatch(line::equals)) return;
            if (!process.isAlive()) throw new AssertionError("child exited before printing '" + line + "':\n" + output());
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("child did not print '" + line + "' in " + seconds + " s:\n" + output());
    }

    /** Kills the child with SIGKILL and waits for it to be gone. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) kill();
        try {
            Files.deleteIfExists(output);
        } catch (IOException ignored) {
            // a temp file left behind is harmless
        }
    }
}
