package dev.mapsync.cli.chaos;

import dev.mapsync.Backend;
import dev.mapsync.MapSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The chaos soak: worker processes of every kind share the soak's maps while the coordinator kills them at random
 * and restarts them, round after round, checking after each round that every invariant held (see {@link Round}).
 * The soak's maps, logs and any crash report live in a folder of their own, removed at the end when everything
 * held and kept otherwise. The soak ends after the first round that found something wrong.
 */
public final class Soak {
    private Soak() {}

    /** How long start-up (every worker JVM started and ready) and the final stop may take. */
    private static final Duration START = Duration.ofSeconds(120), STOP = Duration.ofSeconds(30);

    /**
     * What the soak is asked to do.
     *
     * @param dir       the folder under which the soak makes its own ({@code chaos-PID}); null for the default
     * @param duration  rounds start while less than this has passed (at least one round runs)
     * @param rounds    at most this many rounds; 0 for no limit but the duration
     * @param round     how long workers run (and are killed) per round
     * @param maxKills  kills per round: 1 to this many, at random moments
     * @param keep      keep the soak's folder even when every invariant held
     */
    public record Options(Path dir, Backend backend, int processes, Duration duration, int rounds, Duration round,
                          int maxKills, long seed, boolean keep) {}

    /** How it went: whether every invariant held, and the summary's figures. */
    public record Outcome(boolean ok, Map<String, Object> summary) {}

    public static Outcome run(Options o, PrintWriter out) {
        Path folder = folder(o.dir());
        String prefix = "chaos" + ProcessHandle.current().pid() + "-";
        Setup setup = new Setup(folder, prefix, o.backend(), o.processes());
        out.printf("mapsync chaos on the %s backend: %d worker processes (%d of each kind), seed %d, for %s, in %s%n",
                o.backend().name().toLowerCase(Locale.ROOT), setup.slots(), o.processes(), o.seed(),
                dev.mapsync.internal.store.Durations.text(o.duration()), folder);
        out.flush();
        Findings findings = new Findings();
        Tally total = new Tally();
        SplittableRandom random = new SplittableRandom(o.seed());
        long start = System.nanoTime();
        try (Control control = Control.create(setup);
             Fleet fleet = new Fleet(setup, control, o.seed());
             Checks checks = Checks.create(setup, control, findings, o.seed())) {
            checks.startObservers();
            for (int s = 0; s < setup.slots(); s++) fleet.start(s, List.of());
            if (startedUp(setup, control, fleet, checks, findings)) {
                rounds(o, setup, control, fleet, checks, findings, total, random, start, out);
            }
            stop(control, fleet, checks, findings);
            Findings.Snapshot last = findings.take();
            total.violations += last.violations();
            total.crashes += last.crashes();
            total.hangs += last.hangs();
            last.lines().forEach(out::println);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long elapsed = System.nanoTime() - start;
        boolean ok = total.ok() && total.rounds > 0;
        summary(out, o, total, elapsed, ok);
        if (ok && !o.keep()) delete(folder);
        else out.println("the soak's maps, worker logs and any crash reports are in " + folder);
        out.flush();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", ok);
        m.put("backend", o.backend().name().toLowerCase(Locale.ROOT));
        m.put("seed", o.seed());
        m.put("processes", setup.slots());
        m.put("duration_s", Math.round(elapsed / 1e8) / 10.0);
        m.putAll(total.json());
        return new Outcome(ok, m);
    }

    /**
     * Runs rounds until the duration or the round count is reached, or a round finds something wrong; meanwhile
     * every free process slot of the maps is held ({@link SlotFill}), so each restart takes a killed process's slot.
     */
    private static void rounds(Options o, Setup setup, Control control, Fleet fleet, Checks checks, Findings findings,
                               Tally total, SplittableRandom random, long start, PrintWriter out) {
        try (SlotFill fill = SlotFill.of(setup, Checks.mapNames(setup))) {
            out.printf("process slots: the soak holds the other %,d slots of its %d maps, so every restart takes the slot"
                    + " of a killed process%n", fill.held(), Checks.mapNames(setup).size());
            int number = 0;
            while (number == 0 || anotherRound(o, number, System.nanoTime() - start)) {
                number++;
                long left = o.duration().toNanos() - (System.nanoTime() - start);
                Duration length = Duration.ofNanos(Math.max(Math.min(o.round().toNanos(), left), 1_000_000_000L));
                long roundStart = System.nanoTime();
                List<String> lines = new ArrayList<>();
                Tally t = new Round(number, setup, control, fleet, checks, findings, random, length, o.maxKills())
                        .run(lines);
                total.add(t);
                out.println(roundLine(number, t, System.nanoTime() - roundStart));
                lines.forEach(out::println);
                out.flush();
                if (!t.ok()) break;
            }
        }
    }

    /** The soak's own folder, made empty and private under {@code dir} (or the default folder). */
    private static Path folder(Path dir) {
        Path base = dir == null ? MapSpec.defaultDir() : dir;
        try {
            if (!Files.isDirectory(base)) {
                Files.createDirectories(base, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwxr-xr-x")));
            }
            Path folder = base.resolve("chaos-" + ProcessHandle.current().pid());
            if (Files.exists(folder)) delete(folder); // a soak of a process that had this pid before
            return Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the soak's folder under " + base + ": " + e.getMessage(), e);
        }
    }

    /** True when the soak should start round {@code done + 1}, {@code elapsed} nanoseconds after it began. */
    private static boolean anotherRound(Options o, int done, long elapsed) {
        return elapsed < o.duration().toNanos() && (o.rounds() == 0 || done < o.rounds());
    }

    /** Waits until every worker started, recovered and paused before round 1, and every observer paused. */
    private static boolean startedUp(Setup setup, Control control, Fleet fleet, Checks checks, Findings findings) {
        long state = Control.paused(0);
        long deadline = System.nanoTime() + START.toNanos();
        while (true) {
            fleet.reportEnded(findings, false);
            List<String> waiting = new ArrayList<>();
            for (int s = 0; s < setup.slots(); s++) {
                if (!fleet.ready(s) || control.slot(s, Control.PAUSED) != state) waiting.add("slot " + s);
            }
            waiting.addAll(checks.notPaused(state));
            if (waiting.isEmpty()) return findings.clean();
            if (!findings.clean()) return false;
            if (System.nanoTime() - deadline > 0) {
                findings.hang("worker processes did not start in " + START.toSeconds() + " s: " + waiting);
                return false;
            }
            LockSupport.parkNanos(5_000_000);
        }
    }

    /** Tells every worker to stop, waits for them and for the observers; what does not end in time hung. */
    private static void stop(Control control, Fleet fleet, Checks checks, Findings findings) {
        control.set(Control.STATE, Control.STOP);
        for (int s : fleet.awaitEnd(STOP.toSeconds())) {
            findings.hang("slot " + s + " did not end " + STOP.toSeconds() + " s after the soak stopped");
            fleet.dumpThreads(s);
            fleet.kill(s);
        }
        fleet.reportEnded(findings, true);
        fleet.reportCrashFiles(findings);
        findings.violations(fleet.newViolationLines());
        for (String o : checks.stopObservers()) findings.hang("the " + o + " did not stop");
    }

    private static String roundLine(int number, Tally t, long nanos) {
        return String.format("round %d (%.1f s: %s): %s, %,d operations; %s; violations %d, crashes %d, hangs %d",
                number, nanos / 1e9, t.phases, t.killText(), t.operations(), t.repairText(), t.violations, t.crashes,
                t.hangs);
    }

    private static void summary(PrintWriter out, Options o, Tally t, long nanos, boolean ok) {
        out.printf("summary: %d rounds in %.1f s, %s, %,d operations%n", t.rounds, nanos / 1e9, t.killText(),
                t.operations());
        StringBuilder ops = new StringBuilder("  operations   ");
        StringBuilder kills = new StringBuilder("  kills        ");
        for (Kind k : Kind.values()) {
            ops.append(String.format(" %s %,d;", k.title, t.operations.get(k)));
            kills.append(String.format(" %s %,d;", k.title, t.killsByKind.get(k)));
        }
        out.println(ops.substring(0, ops.length() - 1));
        out.println(kills.substring(0, kills.length() - 1));
        out.printf("  restarts     %,d worker processes started in the slots of killed ones%n", t.restarts);
        if (t.longestOpKind != null) {
            out.printf("  longest op   %,d ms (%s; waits for a dead owner's lock, for room or at the barrier included)%n",
                    t.longestOpNanos / 1_000_000, t.longestOpKind.title);
        }
        out.println("  repairs      " + t.repairText());
        out.printf("  checks       %,d ledger audits, %,d unlocked reads, %,d hash iterations, %,d queue records received"
                + " (%,d numbers a killed producer had in flight never arrived)%n", t.audits, t.reads, t.iterations,
                t.received, t.skippedRecords);
        out.printf("  violations   %d%n  crashes      %d%n  hangs        %d%n", t.violations, t.crashes, t.hangs);
        out.println(ok ? "result: OK, every invariant held" : "result: FAILED, see above");
    }

    private static void delete(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + folder + ": " + e.getMessage(), e);
        }
    }
}
