package dev.mapsync.cli.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One round of the soak:
 * <ol>
 * <li><b>run</b>: the workers work for the round's length while the coordinator kills a random number of them at
 *     random moments, either at once (SIGKILL wherever they are) or after asking them to stall inside an operation;
 *     killed slots are restarted a moment later, some with a pause hook that stops them inside a write, where they
 *     are killed again ({@link Hooks});</li>
 * <li><b>settle</b>: no more kills; every slot gets a live process, and every worker, the lead barrier party and the
 *     ledger's audit must make progress, within {@link #SETTLE}: survivors and replacements go on after the kills
 *     (no deadlock, no wait for the dead);</li>
 * <li><b>pause</b>: every worker and observer stops between operations, within {@link #PAUSE};</li>
 * <li><b>check</b>: with nothing moving, every invariant is checked ({@link Checks#pausedChecks}), crash reports are
 *     looked for, and what the workers reported is collected.</li>
 * </ol>
 * A process that does not get on within a deadline is a hang: its threads are dumped into its log, and it is killed.
 */
final class Round {
    static final Duration SETTLE = Duration.ofSeconds(60), PAUSE = Duration.ofSeconds(60);
    /** How long a worker asked to stall has to reach a stall point (else it is killed wherever it is). */
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(3);

    private final int number;
    private final Setup setup;
    private final Control control;
    private final Fleet fleet;
    private final Checks checks;
    private final Findings findings;
    private final SplittableRandom random;
    private final long lengthNanos;
    private final int maxKills;
    private final int slots;
    private final long[] restartAt;
    private final long[] stallDeadline;
    /** The party slot whose replacement the other parties are held for ({@link Phases}), or -1; and until when. */
    private int holding = -1;
    private long holdUntil;
    private final Tally tally = new Tally();

    Round(int number, Setup setup, Control control, Fleet fleet, Checks checks, Findings findings, SplittableRandom random,
          Duration length, int maxKills) {
        this.number = number;
        this.setup = setup;
        this.control = control;
        this.fleet = fleet;
        this.checks = checks;
        this.findings = findings;
        this.random = random;
        this.lengthNanos = length.toNanos();
        this.maxKills = maxKills;
        this.slots = setup.slots();
        this.restartAt = new long[slots];
        this.stallDeadline = new long[slots];
    }

    /** Runs the round; its figures, and the findings' report lines in {@code lines}. */
    Tally run(List<String> lines) {
        tally.rounds = 1;
        long[][] before = counters();
        long[] observed = observed();
        long start = System.nanoTime();
        control.set(Control.STATE, Control.running(number));
        int kills = random.nextInt(1, maxKills + 1);
        long[] at = random.longs(kills, lengthNanos / 20, lengthNanos * 17 / 20).sorted().toArray();
        int next = 0;
        while (System.nanoTime() - start < lengthNanos) {
            service(true);
            if (next < kills && System.nanoTime() - start >= at[next]) {
                killSomeone();
                next++;
            }
            LockSupport.parkNanos(2_000_000);
        }
        long settling = System.nanoTime();
        boolean settled = settle();
        long pausing = System.nanoTime();
        boolean paused = settled && pause();
        long checking = System.nanoTime();
        try {
            if (paused) checks.pausedChecks(); // a round that hung is over: checks of maps still moving would only mislead
        } catch (RuntimeException e) {
            findings.violation("the paused checks failed: " + e);
        }
        fleet.reportEnded(findings, false);
        fleet.reportCrashFiles(findings);
        findings.violations(fleet.newViolationLines());
        figures(before, observed);
        tally.phases = String.format("run %.1f s, settle %.1f s, pause %.1f s, check %.1f s", (settling - start) / 1e9,
                (pausing - settling) / 1e9, (checking - pausing) / 1e9, (System.nanoTime() - checking) / 1e9);
        Findings.Snapshot found = findings.take();
        tally.violations = found.violations();
        tally.crashes = found.crashes();
        tally.hangs = found.hangs();
        lines.addAll(found.lines());
        return tally;
    }

    // ------------------------------------------------------------------------------------------------- run

    /**
     * Kills what a hook or a stall stopped, restarts what is due, notices what ended by itself, and lets the barrier
     * parties go on once a party killed while waiting alone has been replaced.
     */
    private void service(boolean hooks) {
        long now = System.nanoTime();
        if (holding >= 0 && (fleet.ready(holding) || now - holdUntil > 0)) {
            control.set(Control.HOLD, 0);
            holding = -1;
        }
        for (int s : fleet.reportEnded(findings, false)) {
            stallDeadline[s] = 0;
            restartAt[s] = now;
        }
        for (int s = 0; s < slots; s++) {
            if (fleet.pausedAtHook(s)) {
                kill(s, KillWay.MID_WRITE);
            } else if (stallDeadline[s] != 0) {
                if (control.slot(s, Control.STALLED) == 1) kill(s, KillWay.STALLED);
                else if (System.nanoTime() - stallDeadline[s] > 0) kill(s, KillWay.RANDOM); // never got to stall
            }
            if (restartAt[s] != 0 && System.nanoTime() - restartAt[s] >= 0) {
                restartAt[s] = 0;
                fleet.start(s, hooks && random.nextInt(3) == 0 ? Hooks.forSlot(s, setup, random) : List.of());
                tally.restarts++;
            }
        }
    }

    /**
     * Picks a kind, then a worker of it that is running its operations, and kills it or asks it to stall; or, one time
     * in four when a restarted process is still starting (opening its maps, taking its slots, recovering what its
     * predecessor left), kills that one.
     */
    private void killSomeone() {
        List<Integer> candidates = new ArrayList<>(), starting = new ArrayList<>();
        for (int s = 0; s < slots; s++) {
            if (stallDeadline[s] != 0 || restartAt[s] != 0 || !fleet.alive(s)) continue;
            (fleet.ready(s) ? candidates : starting).add(s);
        }
        if (!starting.isEmpty() && (candidates.isEmpty() || random.nextInt(4) == 0)) {
            kill(starting.get(random.nextInt(starting.size())), KillWay.RANDOM);
            return;
        }
        if (candidates.isEmpty()) return;
        List<Kind> kinds = candidates.stream().map(s -> Kind.ofSlot(s, setup.processes())).distinct().toList();
        Kind kind = kinds.get(random.nextInt(kinds.size()));
        List<Integer> ofKind = candidates.stream().filter(s -> Kind.ofSlot(s, setup.processes()) == kind).toList();
        if (kind == Kind.PARTY && random.nextBoolean()) {
            LeadParty.LoneWaiter lone = checks.lead().loneWaiter();
            if (lone != null && ofKind.contains(lone.slot())) {
                // the others are at their work: they stay there until the replacement has taken the seat
                control.set(Control.HOLD, lone.generation() + 1);
                holding = lone.slot();
                holdUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Phases.HOLD_MILLIS);
                kill(lone.slot(), KillWay.WAITING);
                restartAt[lone.slot()] = System.nanoTime();
                return;
            }
        }
        int s = ofKind.get(random.nextInt(ofKind.size()));
        if (random.nextBoolean()) {
            control.setSlot(s, Control.STALLED, 0);
            control.setSlot(s, Control.STALL, 1);
            stallDeadline[s] = System.nanoTime() + STALL_NANOS;
        } else {
            kill(s, KillWay.RANDOM);
        }
    }

    private void kill(int slot, KillWay way) {
        long pid = fleet.current(slot).process.pid();
        fleet.note("round " + number + ": kill " + Kind.ofSlot(slot, setup.processes()).id + " slot " + slot + " pid "
                + pid + " " + way.text);
        checks.killing(slot, pid, way);
        fleet.kill(slot);
        checks.killed(slot);
        tally.kill(way, Kind.ofSlot(slot, setup.processes()));
        stallDeadline[slot] = 0;
        restartAt[slot] = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(random.nextInt(20, 300));
    }

    // ---------------------------------------------------------------------------------------------- settle

    /**
     * Restarts what is still dead, then waits until every slot's process, the lead party and the ledger's audit have
     * each made progress since (for a process: since it became ready). False if something did not, in time.
     */
    private boolean settle() {
        for (int s = 0; s < slots; s++) if (restartAt[s] != 0) restartAt[s] = System.nanoTime();
        long deadline = System.nanoTime() + SETTLE.toNanos();
        long[] base = new long[slots];
        int[] baseOf = new int[slots];
        long leadBase = checks.lead().generations(), auditBase = checks.audits.get();
        while (true) {
            service(false);
            List<String> stuck = new ArrayList<>();
            for (int s = 0; s < slots; s++) {
                if (!fleet.ready(s) || stallDeadline[s] != 0 || restartAt[s] != 0) {
                    stuck.add(who(s) + (fleet.alive(s) ? " (not ready)" : " (not running)"));
                    continue;
                }
                Fleet.Incarnation current = fleet.current(s);
                if (baseOf[s] != current.number) {
                    baseOf[s] = current.number;
                    base[s] = control.slot(s, Control.OPS);
                    stuck.add(who(s));
                } else if (control.slot(s, Control.OPS) <= base[s]) {
                    stuck.add(who(s));
                }
            }
            if (checks.lead().generations() <= leadBase) stuck.add("the lead barrier party (a thread of the coordinator)");
            if (checks.audits.get() <= auditBase) stuck.add("the ledger audit (a thread of the coordinator)");
            if (stuck.isEmpty()) return true;
            if (System.nanoTime() - deadline > 0) {
                hung(stuck, "made no progress in " + SETTLE.toSeconds() + " s after the round's last kill");
                return false;
            }
            LockSupport.parkNanos(2_000_000);
        }
    }

    // ----------------------------------------------------------------------------------------------- pause

    /**
     * Asks everything to pause, and waits until every worker and observer says it has; false if one did not. A
     * restarted worker whose pause hook stops it in the operation it was finishing is killed there and restarted
     * without a hook (its replacement recovers, then pauses).
     */
    private boolean pause() {
        long state = Control.paused(number);
        control.set(Control.STATE, state);
        long deadline = System.nanoTime() + PAUSE.toNanos();
        while (true) {
            service(false);
            List<String> busy = new ArrayList<>();
            for (int s = 0; s < slots; s++) {
                if (restartAt[s] != 0 || fleet.alive(s) && control.slot(s, Control.PAUSED) != state) busy.add(who(s));
            }
            for (String o : checks.notPaused(state)) busy.add("the " + o + " (a thread of the coordinator)");
            if (busy.isEmpty()) return true;
            if (System.nanoTime() - deadline > 0) {
                hung(busy, "did not pause in " + PAUSE.toSeconds() + " s");
                return false;
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** Reports each of {@code who} as hung; the worker processes among them leave a thread dump and are killed. */
    private void hung(List<String> who, String what) {
        for (String w : who) findings.hang(w + " " + what);
        for (int s = 0; s < slots; s++) {
            String name = who(s);
            if (fleet.alive(s) && who.stream().anyMatch(w -> w.startsWith(name))) {
                fleet.dumpThreads(s);
                fleet.kill(s);
            }
        }
    }

    private String who(int s) {
        Fleet.Incarnation i = fleet.current(s);
        return Kind.ofSlot(s, setup.processes()).id + " slot " + s
                + (i == null ? "" : " (pid " + i.process.pid() + ", log " + i.log.getFileName() + ")");
    }

    // --------------------------------------------------------------------------------------------- figures

    private static final int[] COUNTED = {Control.OPS, Control.TAKEOVERS, Control.REPAIRS, Control.RESOLVED};

    private long[][] counters() {
        long[][] c = new long[slots][COUNTED.length];
        for (int s = 0; s < slots; s++) for (int w = 0; w < COUNTED.length; w++) c[s][w] = control.slot(s, COUNTED[w]);
        return c;
    }

    private long[] observed() {
        return new long[]{checks.audits.get(), checks.resolved.get(), checks.tornRepaired.get(),
                checks.recordReads.get() + checks.hashReads.get(), checks.iterations.get(), checks.lead().breaks(),
                checks.lead().resets(), checks.lost(), checks.skipped(), checks.received()};
    }

    private void figures(long[][] before, long[] observedBefore) {
        long[][] after = counters();
        for (int s = 0; s < slots; s++) {
            Kind kind = Kind.ofSlot(s, setup.processes());
            long longest = control.getAndSet(Control.slotWord(s, Control.LONGEST_OP), 0);
            if (longest > tally.longestOpNanos) {
                tally.longestOpNanos = longest;
                tally.longestOpKind = kind;
            }
            tally.operations.merge(kind, after[s][0] - before[s][0], Long::sum);
            tally.takeovers += after[s][1] - before[s][1];
            tally.tornRepaired += after[s][2] - before[s][2];
            tally.resolvedTransfers += after[s][3] - before[s][3];
        }
        long[] o = observed();
        tally.audits = o[0] - observedBefore[0];
        tally.resolvedTransfers += o[1] - observedBefore[1];
        tally.tornRepaired += o[2] - observedBefore[2];
        tally.reads = o[3] - observedBefore[3];
        tally.iterations = o[4] - observedBefore[4];
        tally.barrierBreaks = o[5] - observedBefore[5];
        tally.barrierResets = o[6] - observedBefore[6];
        tally.slowestBreakNanos = checks.lead().takeSlowestBreakNanos();
        tally.lostRecords = checks.lost() - observedBefore[7];
        tally.skippedRecords = checks.skipped() - observedBefore[8];
        tally.received = checks.received() - observedBefore[9];
    }
}
