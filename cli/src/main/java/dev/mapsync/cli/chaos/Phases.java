package dev.mapsync.cli.chaos;

import java.util.concurrent.locks.LockSupport;

/**
 * The work the barrier parties do between arrivals, as parties of a phased computation would. Most generations have
 * none, so the barrier turns fast; every {@value #EVERY}th is a long phase, in which one party (a different one each
 * time) has nothing to do and arrives at once while every other works {@value #LONG_MILLIS} ms. That party then
 * waits alone, the one moment when nobody else is at the barrier to notice it die: the coordinator kills it there
 * ({@link KillWay#WAITING}) and holds the others at their work (the HOLD control word) until the killed party's
 * replacement has taken its seat, as a supervisor restarting a process faster than its peers' phase would.
 */
final class Phases {
    private Phases() {}

    static final int EVERY = 16;
    static final long LONG_MILLIS = 1_000;
    /** The longest the coordinator holds the parties at their work. */
    static final long HOLD_MILLIS = 20_000;

    /** How long party {@code party} (0-based; the lead is the last) works before arriving at {@code generation}. */
    static long workMillis(long generation, int party, int parties) {
        if (generation % EVERY != EVERY - 1) return 0;
        return party == (int) ((generation / EVERY) % parties) ? 0 : LONG_MILLIS;
    }

    /** Does that work (waits it out: the work is the time the others go without it), and any hold of it. */
    static void work(Control control, long generation, int party, int parties) {
        long millis = workMillis(generation, party, parties);
        if (millis == 0) return;
        LockSupport.parkNanos(millis * 1_000_000);
        long deadline = System.nanoTime() + HOLD_MILLIS * 1_000_000;
        while (control.get(Control.HOLD) == generation + 1 && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(1_000_000);
        }
    }
}
