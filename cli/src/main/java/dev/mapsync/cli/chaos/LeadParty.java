package dev.mapsync.cli.chaos;

import dev.mapsync.BarrierBrokenException;
import dev.mapsync.BarrierStatus;
import dev.mapsync.SharedBarrier;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The coordinator's own party at the barrier (a thread). Besides meeting the others, it measures how fast a kill
 * breaks the barrier (the coordinator tells it when it kills a party; the break must reach it within
 * {@link #PROMPT}, and a break with no kill before it is a violation), resets a broken barrier once every seat has a
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
     * When the coordinator last killed a party, until a break is put down to that kill; 0 when none waits for one.
     * A party killed while the barrier is already broken may cause no break of its own (the reset frees its seat),
     * or one right after the reset (if it died after the reset looked at the seats): the next kill's time replaces
     * its own, so a break is always measured from the latest kill before it.
     */
    private final AtomicLong killedAt = new AtomicLong();
    /** Whether the break of the last kill is measured against {@link #PROMPT}. */
    private volatile boolean promptBreak = true;
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
     * Called by the coordinator just before it kills a party process; {@code prompt} unless the others are held at
     * their work (a party killed while it waits alone), when nobody is there to notice the death before they arrive.
     */
    void partyKilled(boolean prompt) {
        promptBreak = prompt;
        killedAt.set(System.nanoTime());
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

    /** The barrier broke: once per break, how long after the kill that broke it, or a violation if none did. */
    private synchronized void broke(String why) {
        if (breakNoted) return;
        breakNoted = true;
        breaks++;
        long now = System.nanoTime(), killed = killedAt.getAndSet(0);
        if (killed == 0) {
            violations.add("barrier: broke with no party killed: " + why);
            return;
        }
        if (!promptBreak) return;
        slowestBreakNanos = Math.max(slowestBreakNanos, now - killed);
        if (now - killed > PROMPT.toNanos()) {
            violations.add(String.format("barrier: a killed party broke it for the lead party only after %.1f s: %s",
                    (now - killed) / 1e9, why));
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
