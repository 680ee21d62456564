package dev.mapsync.cli.chaos;

import dev.mapsync.BarrierBrokenException;
import dev.mapsync.BarrierStatus;
import dev.mapsync.SharedBarrier;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The coordinator's own party at the barrier (a thread). Besides meeting the others, it measures how fast a kill
 * breaks the barrier (the coordinator tells it which party it kills; the break must reach it within {@link #PROMPT},
 * and a break that no killed party explains is a violation), resets a broken barrier once every seat has a
 * live party again (the killed party's replacement has taken its seat), and decides where the parties pause between
 * rounds (see {@link Party}).
 */
final class LeadParty {
    /** How soon a killed party must break the barrier for the others. */
    static final Duration PROMPT = Duration.ofSeconds(10);

    private final Control control;
    private final Setup setup;
    private final SharedBarrier barrier;
    private final int slot;
    /**
     * The party processes the coordinator killed, by pid: a break is put down to the kill of the party its record
     * names (a break names the dead party's pid), and measured from it. Pairing by pid, not by order, since kills close
     * together can end in one break, or in two apart (one that died just after a reset looked at the seats).
     */
    private final Map<Long, Kill> killed = new ConcurrentHashMap<>();

    /** When a party was killed, whether its break is held to {@link #PROMPT}, and whether it was measured yet. */
    private static final class Kill {
        final long at = System.nanoTime();
        final boolean prompt;
        boolean measured;

        Kill(boolean prompt) {
            this.prompt = prompt;
        }
    }

    private static final Pattern DIED = Pattern.compile("party pid (\\d+) died");
    private final List<String> violations = new ArrayList<>();
    private long breaks, resets, slowestBreakNanos, generations;
    private long last = -1;
    /** True from the moment this party learns the barrier broke until it resets it. */
    private boolean breakNoted;

    LeadParty(Control control, Setup setup, SharedBarrier barrier) {
        this.control = control;
        this.setup = setup;
        this.barrier = barrier;
        this.slot = Arrivals.leadSlot(setup);
        barrier.join();
    }

    /**
     * Called by the coordinator just before it kills party process {@code pid}; {@code prompt} unless the others are
     * held at their work (a party killed while it waits alone), when nobody is there to notice the death before they
     * arrive.
     */
    void partyKilled(long pid, boolean prompt) {
        killed.put(pid, new Kill(prompt));
    }

    /** One step of the lead party's loop; the caller repeats it until the soak stops. */
    void step() {
        long state = control.state();
        BarrierStatus status = barrier.status();
        if (Control.isPaused(state)) {
            if (!status.broken() && last >= 0 && control.get(Control.STOP_GEN) >>> 32 != Control.round(state)) {
                // the generation in progress cannot trip without this party: every party pauses after it
                control.set(Control.STOP_GEN, (long) Control.round(state) << 32 | status.generation());
                arrive();
                return;
            }
            if (control.slot(slot, Control.PAUSED) != state) control.setSlot(slot, Control.PAUSED, state);
            LockSupport.parkNanos(1_000_000);
            return;
        }
        if (status.broken()) {
            broke(status.brokenReason().orElse("(no reason given)")); // the parties may have found out before this one
            if (status.seated().stream().filter(BarrierStatus.Party::alive).count() == barrier.parties()) {
                Arrivals.reset(control, barrier);
                synchronized (this) {
                    resets++;
                    breakNoted = false;
                }
            } else {
                LockSupport.parkNanos(1_000_000);
            }
            return;
        }
        arrive();
    }

    private void arrive() {
        Phases.work(control, barrier.status().generation(), setup.processes(), barrier.parties());
        Arrivals.note(control, barrier, slot);
        try {
            long generation = barrier.await(Party.TIMEOUT);
            String wrong = Arrivals.check(control, setup, generation);
            synchronized (this) {
                if (wrong != null) violations.add(wrong);
                if (generation <= last) {
                    violations.add("barrier: generation " + generation + " tripped after generation " + last);
                }
                generations++;
            }
            last = generation;
        } catch (BarrierBrokenException broken) {
            broke(broken.getMessage());
        }
    }

    /**
     * The barrier broke: once per break, how long after the kill of the party it names, or a violation if no party the
     * coordinator killed explains it.
     */
    private synchronized void broke(String why) {
        if (breakNoted) return;
        breakNoted = true;
        breaks++;
        long now = System.nanoTime();
        Matcher died = DIED.matcher(why);
        Kill kill = died.find() ? killed.get(Long.parseLong(died.group(1))) : null;
        if (kill == null) {
            violations.add("barrier: broke, and no party the soak killed explains it: " + why);
            return;
        }
        if (!kill.prompt || kill.measured) return;
        kill.measured = true;
        slowestBreakNanos = Math.max(slowestBreakNanos, now - kill.at);
        if (now - kill.at > PROMPT.toNanos()) {
            violations.add(String.format("barrier: a killed party broke it for the lead party only after %.1f s: %s",
                    (now - kill.at) / 1e9, why));
        }
    }

    /** A party process that waits alone at the barrier, in generation {@code generation}. */
    record LoneWaiter(int slot, long generation) {}

    /** The worker party that waits alone at the barrier now (the one arrival of the generation, by its note), or null. */
    LoneWaiter loneWaiter() {
        BarrierStatus status = barrier.status();
        if (status.broken() || status.arrived() != 1) return null;
        long resets = control.get(Control.RESETS);
        int first = Kind.PARTY.firstSlot(setup.processes());
        for (int s = first; s < first + setup.processes(); s++) {
            long note = control.slot(s, Control.ARRIVING);
            if (note >>> 40 == resets && (note & ((1L << 40) - 1)) == status.generation()) {
                return new LoneWaiter(s, status.generation());
            }
        }
        return null;
    }

    /** True once the lead party has paused for {@code state}. */
    boolean pausedAt(long state) {
        return control.slot(slot, Control.PAUSED) == state;
    }

    synchronized List<String> takeViolations() {
        List<String> v = new ArrayList<>(violations);
        violations.clear();
        return v;
    }

    synchronized long breaks() {
        return breaks;
    }

    synchronized long resets() {
        return resets;
    }

    synchronized long generations() {
        return generations;
    }

    /** The longest a kill took to break the barrier since the last call. */
    synchronized long takeSlowestBreakNanos() {
        long slowest = slowestBreakNanos;
        slowestBreakNanos = 0;
        return slowest;
    }
}
