package dev.mapsync.cli.demo;

import dev.mapsync.cli.Main;
import dev.mapsync.launch.ChildJvm;
import dev.mapsync.launch.Jvm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Worker processes: separate JVMs running a hidden {@code mapsync} command ({@code demo-worker} for the demo,
 * {@code chaos-worker} for the chaos soak) from the same jar, so the sharing shown is between real processes. They
 * end when this process is gone, however it ends ({@link Jvm#endWithParent()}).
 */
public final class Workers implements AutoCloseable {
    private final List<ChildJvm> workers = new ArrayList<>();
    private final String workerCommand;
    /** The folder of the workers' output files, kept; null for temporary files deleted at {@link #close()}. */
    private final Path logDir;
    private final List<String> jvmOptions;

    /** How long a demo phase's workers have, from their start, to finish: a phase of the demo takes seconds. */
    public static final Duration PHASE_LIMIT = Duration.ofSeconds(300);
    private final Duration limit;
    private final long deadline;

    /** The demo's workers: {@code demo-worker}, their output in temporary files, {@code limit} to finish. */
    public Workers(Duration limit) {
        this("demo-worker", null, List.of(), limit);
    }

    /**
     * Workers that run {@code mapsync WORKERCOMMAND}, with their output kept in {@code logDir} (or temporary files
     * when null) and {@code jvmOptions} added to every JVM's command line, with no limit: the caller ends them.
     */
    public Workers(String workerCommand, Path logDir, List<String> jvmOptions) {
        this(workerCommand, logDir, jvmOptions, Duration.ofNanos(Long.MAX_VALUE));
    }

    /** {@link #Workers(String, Path, List)} that {@link #running()} and {@link #awaitAll()} give {@code limit}. */
    private Workers(String workerCommand, Path logDir, List<String> jvmOptions, Duration limit) {
        this.workerCommand = workerCommand;
        this.logDir = logDir;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.limit = limit;
        this.deadline = System.nanoTime() + limit.toNanos();
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
        Jvm jvm = Jvm.main(Main.class).jvmOptions("-XX:+UseSerialGC", "-Xmx64m").jvmOptions(jvmOptions)
                .jvmOptions(extraJvmOptions).args(workerCommand).args(args).endWithParent();
        try {
            if (logDir == null) jvm.outputToTempFile("mapsync-" + workerCommand);
            else jvm.output(Files.createTempFile(logDir, logName + "-", ".log"));
            ChildJvm worker = jvm.start();
            workers.add(worker);
            return worker.process();
        } catch (IOException e) {
            throw new dev.mapsync.cli.CommandFailure("cannot start a worker process: " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw new dev.mapsync.cli.CommandFailure("cannot start a worker process: " + e.getCause().getMessage(), e);
        }
    }

    private boolean anyAlive() {
        return workers.stream().anyMatch(w -> w.process().isAlive());
    }

    /**
     * True while every worker runs. A demo worker leaves only after its phase's end barrier, which waits for the
     * coordinator too: until then, a worker that is gone failed, and the phase cannot complete without it.
     */
    public boolean allAlive() {
        return workers.stream().allMatch(w -> w.process().isAlive());
    }

    /**
     * True while every worker runs and their time is not up: a worker alive but stuck (stopped, or waiting for ever)
     * must not keep its phase from ending.
     */
    public boolean running() {
        return allAlive() && System.nanoTime() - deadline < 0;
    }

    /** {@return what is left of the workers' time, at least a tenth of a second} */
    public Duration left() {
        return Duration.ofNanos(Math.max(100_000_000L, deadline - System.nanoTime()));
    }

    /** How the first worker that no longer runs ended ({@code worker PID exited with N: its last lines}), or null. */
    public String firstExit() {
        return workers.stream().filter(w -> !w.process().isAlive()).findFirst().map(Workers::exit).orElse(null);
    }

    /**
     * Waits for every worker until their time is up; returns the description of the ones that failed (empty when
     * all exited 0). Once one has failed, the others are stopped rather than waited for: their phase has failed.
     */
    public List<String> awaitAll() {
        boolean failed = false, interrupted = false;
        while (!failed && anyAlive() && deadline - System.nanoTime() > 0) {
            failed = workers.stream().anyMatch(w -> !w.process().isAlive() && w.process().exitValue() != 0);
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                interrupted = true;
                break;
            }
        }
        List<String> failures = new ArrayList<>();
        if (interrupted) failures.add("interrupted while waiting for workers");
        for (ChildJvm worker : workers) {
            Process p = worker.process();
            if (p.isAlive()) {
                worker.kill();
                failures.add("worker " + p.pid() + (failed || interrupted ? " stopped: the phase had failed"
                        : " did not finish in " + limit.toSeconds() + " s"));
            } else if (p.exitValue() != 0) {
                failures.add(exit(worker));
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        return failures;
    }

    private static String exit(ChildJvm worker) {
        Process p = worker.process();
        return "worker " + p.pid() + " exited with " + p.exitValue() + ": " + tail(worker.outputFile());
    }

    /** The file {@code worker} (one this started) prints to. */
    public Path log(Process worker) {
        return workers.stream().filter(w -> w.process() == worker).findFirst().orElseThrow().outputFile();
    }

    /** The last line worker {@code i} printed, or the empty string. */
    public String lastLine(int i) {
        try {
            List<String> lines = Files.readAllLines(workers.get(i).outputFile());
            return lines.isEmpty() ? "" : lines.getLast();
        } catch (IOException e) {
            return "";
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            if (lines.isEmpty()) return "(no output)";
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        } catch (IOException e) {
            return "(no output)";
        }
    }

    /** Kills the workers still running; deletes their output unless it is kept in the log folder. */
    @Override
    public void close() {
        for (ChildJvm worker : workers) worker.close();
    }
}
