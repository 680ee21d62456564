package dev.mapsync.cli.chaos;

import dev.mapsync.cli.demo.Workers;
import dev.mapsync.internal.sys.LibC;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The soak's worker processes, one per slot at a time: starts them (a restart takes the slot of the process it
 * replaces, and so its journal, its keys, its producer numbers and its barrier seat), kills them with SIGKILL, and
 * tells which ended on their own. Every JVM writes its crash report, if it crashes, into the soak's folder
 * ({@code -XX:ErrorFile}), where the coordinator looks for them after each round.
 */
final class Fleet implements AutoCloseable {
    /** The lines the library's pause hooks print when a process stops inside a write for a test to kill it there. */
    private static final int SIGQUIT = 3;
    private static final List<String> PAUSE_LINES = List.of("paused mid-write", "paused mid-window", "paused in reserve");

    /** One process of a slot. */
    static final class Incarnation {
        final int slot;
        final int number;
        final Process process;
        final Path log;
        /** The pause hook it was started with (a system property), or null. */
        final String hook;
        volatile boolean killed;
        /** True once its ending was reported (it ended by itself). */
        boolean reported;
        /** How many VIOLATION lines of its log were reported already. */
        int violationsReported;

        Incarnation(int slot, int number, Process process, Path log, String hook) {
            this.slot = slot;
            this.number = number;
            this.process = process;
            this.log = log;
            this.hook = hook;
        }
    }

    private final Setup setup;
    private final Control control;
    private final Workers workers;
    private final long seed;
    private final Incarnation[] current;
    /** Every process started, until its log has been read for the last time. */
    private final List<Incarnation> unread = new ArrayList<>();
    private final int[] started;
    private final Set<Path> reportedCrashFiles = new HashSet<>();
    private final Path events;

    Fleet(Setup setup, Control control, long seed) throws IOException {
        this.setup = setup;
        this.control = control;
        this.seed = seed;
        Path logs = Files.createDirectories(setup.dir().resolve("logs"));
        this.workers = new Workers("chaos-worker", logs, List.of(
                "-XX:ErrorFile=" + setup.dir().resolve("hs_err_pid%p.log"), "-XX:-CreateCoredumpOnCrash"));
        this.events = setup.dir().resolve("events.log");
        this.current = new Incarnation[setup.slots()];
        this.started = new int[setup.slots()];
    }

    /**
     * Adds a line to the soak's event log ({@code events.log} in its folder: every start and kill, with pids), for
     * whoever looks into a failed round.
     */
    void note(String event) {
        try {
            Files.writeString(events, LocalTime.now() + " " + event + "\n", StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the log is for people: the soak goes on without it
        }
    }

    /** Starts the next process of {@code slot}, with {@code hook} (JVM options, maybe none) added. */
    Incarnation start(int slot, List<String> hook) {
        control.setSlot(slot, Control.READY, 0);
        control.setSlot(slot, Control.STALL, 0);
        control.setSlot(slot, Control.STALLED, 0);
        Kind kind = Kind.ofSlot(slot, setup.processes());
        int number = ++started[slot];
        long workerSeed = Mix.of(seed, slot, number);
        List<String> args = new ArrayList<>(List.of(kind.id, Integer.toString(slot), Long.toString(workerSeed)));
        args.addAll(setup.args());
        Process p = workers.start(hook, kind.id + "-" + slot + "-" + number, args.toArray(String[]::new));
        Incarnation inc = new Incarnation(slot, number, p, workers.log(p), hook.isEmpty() ? null : String.join(" ", hook));
        current[slot] = inc;
        unread.add(inc);
        note("start " + kind.id + " slot " + slot + " #" + number + " pid " + p.pid()
                + (inc.hook == null ? "" : " with " + inc.hook) + ", log " + inc.log.getFileName());
        return inc;
    }

    Incarnation current(int slot) {
        return current[slot];
    }

    boolean alive(int slot) {
        Incarnation i = current[slot];
        return i != null && !i.killed && i.process.isAlive();
    }

    /** True once the slot's process recovered and entered its loop. */
    boolean ready(int slot) {
        return alive(slot) && control.slot(slot, Control.READY) == current[slot].process.pid();
    }

    /** True if the slot's process was started with a pause hook and has stopped there, inside a write. */
    boolean pausedAtHook(int slot) {
        Incarnation i = current[slot];
        if (i == null || i.hook == null || i.killed) return false;
        String out = read(i.log);
        return PAUSE_LINES.stream().anyMatch(out::contains);
    }

    /** Kills the slot's process with SIGKILL and waits until it is gone. */
    void kill(int slot) {
        Incarnation i = current[slot];
        i.killed = true;
        i.process.destroyForcibly();
        try {
            if (!i.process.waitFor(30, TimeUnit.SECONDS)) {
                throw new dev.mapsync.cli.CommandFailure("worker " + i.process.pid() + " did not end 30 s after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.mapsync.cli.CommandFailure("interrupted while killing a worker", e);
        }
    }

    /** Asks the slot's JVM for a thread dump into its log (SIGQUIT), before it is killed as hung. */
    void dumpThreads(int slot) {
        Incarnation i = current[slot];
        if (i == null || !i.process.isAlive()) return;
        try {
            LibC.kill((int) i.process.pid(), SIGQUIT);
            // the JVM prints the dump on a thread of its own: wait until it is in the log (or give up after 5 s)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!read(i.log).contains("Full thread dump") && System.nanoTime() - deadline < 0) Thread.sleep(20);
        } catch (RuntimeException e) {
            // it ended meanwhile: no dump, and nothing left to kill
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The processes that ended without being killed since the last call, each reported once into {@code findings}:
     * a JVM that died by a signal or left an hs_err file crashed; one that exited is a worker that failed (its log
     * says why). Returns their slots, for restarts.
     */
    List<Integer> reportEnded(Findings findings, boolean stopping) {
        List<Integer> ended = new ArrayList<>();
        for (Incarnation i : current) {
            if (i == null || i.killed || i.reported || i.process.isAlive()) continue;
            int code = i.process.exitValue();
            if (stopping && code == 0) continue;
            i.reported = true;
            ended.add(i.slot);
            long pid = i.process.pid();
            Path hsErr = setup.dir().resolve("hs_err_pid" + pid + ".log");
            String who = Kind.ofSlot(i.slot, setup.processes()).id + " slot " + i.slot + " (pid " + pid + ", log "
                    + i.log + ")";
            if (Files.exists(hsErr) || code > 128) {
                reportedCrashFiles.add(hsErr);
                findings.crash("the JVM of " + who + " crashed with exit code " + code
                        + (Files.exists(hsErr) ? ", see " + hsErr : ""));
            } else {
                findings.violation("the worker " + who + " ended by itself with exit code " + code + ": " + tail(i.log));
            }
        }
        return ended;
    }

    /** Crash reports (hs_err files) of JVMs not reported yet. */
    void reportCrashFiles(Findings findings) {
        try (Stream<Path> files = Files.list(setup.dir())) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("hs_err")).toList()) {
                if (reportedCrashFiles.add(f)) findings.crash("a JVM crashed: " + f);
            }
        } catch (IOException e) {
            findings.violation("cannot list " + setup.dir() + " for crash reports: " + e.getMessage());
        }
    }

    /** The VIOLATION lines that worker processes printed since the last call. */
    List<String> newViolationLines() {
        List<String> found = new ArrayList<>();
        for (var it = unread.iterator(); it.hasNext(); ) {
            Incarnation i = it.next();
            boolean ended = !i.process.isAlive();
            List<String> lines = read(i.log).lines().filter(l -> l.startsWith("VIOLATION: ")).toList();
            for (String l : lines.subList(i.violationsReported, lines.size())) {
                found.add(Kind.ofSlot(i.slot, setup.processes()).id + " slot " + i.slot + " (pid " + i.process.pid() + "): "
                        + l.substring("VIOLATION: ".length()));
            }
            i.violationsReported = lines.size();
            if (ended) it.remove();
        }
        return found;
    }

    /** Waits up to {@code seconds} for every process to end (after the soak's STOP); the slots still running. */
    List<Integer> awaitEnd(long seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<Integer> running = new ArrayList<>();
        for (Incarnation i : current) {
            if (i == null) continue;
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                if (!i.process.waitFor(left, TimeUnit.NANOSECONDS)) running.add(i.slot);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running.add(i.slot);
            }
        }
        return running;
    }

    /** The last lines of a log, joined. */
    static String tail(Path log) {
        List<String> lines = read(log).lines().toList();
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 4), lines.size()));
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        workers.close();
    }
}
