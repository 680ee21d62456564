package dev.mapsync.cli.demo;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Worker processes: separate JVMs running a hidden {@code mapsync} command ({@code demo-worker} for the demo,
 * {@code chaos-worker} for the chaos soak) from the same jar, so the sharing shown is between real processes.
 */
public final class Workers implements AutoCloseable {
    private final List<Process> processes = new ArrayList<>();
    private final List<Path> logs = new ArrayList<>();
    private final String workerCommand;
    /** Where each worker's output goes: null for a temporary file deleted at {@link #close()}. */
    private final Path logDir;
    private final List<String> jvmOptions;

    /** The demo's workers: {@code demo-worker}, their output in temporary files. */
    public Workers() {
        this("demo-worker", null, List.of());
    }

    /**
     * Workers that run {@code mapsync WORKERCOMMAND}, with their output kept in {@code logDir} (or temporary files
     * when null) and {@code jvmOptions} added to every JVM's command line.
     */
    public Workers(String workerCommand, Path logDir, List<String> jvmOptions) {
        this.workerCommand = workerCommand;
        this.logDir = logDir;
        this.jvmOptions = List.copyOf(jvmOptions);
    }

    /** Starts one worker JVM with {@code args} after the worker command. */
    public Process start(String... args) {
        return start(List.of(), "worker", args);
    }

    /**
     * Starts one worker JVM with {@code extraJvmOptions} (after the common ones) and {@code args} after the worker
     * command; its output goes to a file whose name starts with {@code logName}.
     */
    public Process start(List<String> extraJvmOptions, String logName, String... args) {
        List<String> command = new ArrayList<>();
        command.add(javaCommand());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-XX:+UseSerialGC");
        command.add("-Xmx64m");
        command.addAll(jvmOptions);
        command.addAll(extraJvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("dev.mapsync.cli.Main");
        command.add(workerCommand);
        command.addAll(List.of(args));
        try {
            Path log = logDir == null ? Files.createTempFile("mapsync-" + workerCommand, ".log")
                    : Files.createTempFile(logDir, logName + "-", ".log");
            logs.add(log);
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            processes.add(p);
            return p;
        } catch (IOException e) {
            throw new dev.mapsync.cli.CommandFailure("cannot start a worker process: " + e.getMessage(), e);
        }
    }

    private static String javaCommand() {
        return ProcessHandle.current().info().command()
                .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    }

    /** True while any worker runs. */
    public boolean anyAlive() {
        return processes.stream().anyMatch(Process::isAlive);
    }

    /** Waits for every worker; returns the description of the ones that failed (empty when all exited 0). */
    public List<String> awaitAll(long seconds) {
        List<String> failures = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (int i = 0; i < processes.size(); i++) {
            Process p = processes.get(i);
            try {
                long left = deadline - System.nanoTime();
                if (!p.waitFor(Math.max(left, 0), TimeUnit.NANOSECONDS)) {
                    p.destroyForcibly();
                    failures.add("worker " + p.pid() + " did not finish in " + seconds + " s");
                } else if (p.exitValue() != 0) {
                    failures.add("worker " + p.pid() + " exited with " + p.exitValue() + ": " + tail(logs.get(i)));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failures.add("interrupted while waiting for workers");
                break;
            }
        }
        return failures;
    }

    /** The file worker {@code i} (in the order started) prints to. */
    public Path log(int i) {
        return logs.get(i);
    }

    /** The file {@code worker} (one this started) prints to. */
    public Path log(Process worker) {
        return logs.get(processes.indexOf(worker));
    }

    /** The last line worker {@code i} printed, or the empty string. */
    public String lastLine(int i) {
        try {
            List<String> lines = Files.readAllLines(logs.get(i));
            return lines.isEmpty() ? "" : lines.getLast();
        } catch (IOException e) {
            return "";
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        } catch (IOException e) {
            return "(no output)";
        }
    }

    @Override
    public void close() {
        for (Process p : processes) {
            if (p.isAlive()) p.destroyForcibly();
        }
        if (logDir != null) return; // kept: the caller decides whether its folder stays
        for (Path log : logs) {
            try {
                Files.deleteIfExists(log);
            } catch (IOException ignored) {
                // a temp file left behind is harmless
            }
        }
    }
}
