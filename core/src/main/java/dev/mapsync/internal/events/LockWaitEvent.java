package dev.mapsync.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Threshold;

/**
 * A thread waited for a lock of a map that another owner held: the event's duration runs from just before the
 * waiter's first sleep until it took the lock, took it over from a dead owner, timed out, or was interrupted. Only
 * waits at least as long as the threshold (20 ms unless a recording's settings say otherwise) are recorded.
 */
@Name("dev.mapsync.LockWait")
@Label("Lock Wait")
@Category({"mapsync", "Locks"})
@Description("A thread waited for a mapsync lock held by another owner, from its first sleep until it took the lock,"
        + " took it over from a dead owner, timed out, or was interrupted")
@Threshold("20 ms")
public final class LockWaitEvent extends Event {
    @Label("Map")
    @Description("The name of the map")
    public String map;

    @Label("Lock")
    @Description("Which lock: entry N, entry N (stripe S) when entries share stripes, stripe S (a hash map's segment),"
            + " or map-wide")
    public String lock;

    @Label("Entry")
    @Description("The entry the caller asked for, or -1 (the map-wide lock, or a hash map's segment)")
    public int entry;

    @Label("Stripe")
    @Description("The stripe whose lock was waited for (a hash map's segment), or -1 for the map-wide lock")
    public int stripe;

    @Label("Owner PID")
    @Description("The process that held the lock when the wait began, as its own pid namespace numbers it; 0 if it"
            + " had not written its pid yet")
    public int ownerPid;

    @Label("Timed Out")
    @Description("True if the wait ended at the timeout, without the lock")
    public boolean timedOut;

    @Label("Outcome")
    @Description("acquired, taken over from a dead owner, timed out, or interrupted")
    public String outcome;

    /** How a wait ended. */
    public static final String ACQUIRED = "acquired", TAKEN_OVER = "taken over from a dead owner",
            TIMED_OUT = "timed out", INTERRUPTED = "interrupted";

    /**
     * Begins timing a wait that is about to sleep, when a recording wants lock waits.
     *
     * @return the begun event, or null when no recording records lock waits
     */
    public static LockWaitEvent beginIfEnabled() {
        LockWaitEvent e = new LockWaitEvent();
        if (!e.isEnabled()) return null;
        e.begin();
        return e;
    }

    /** Ends the wait now: true if it lasted long enough to be written ({@link #write} it then). */
    public boolean endWait() {
        end();
        return shouldCommit();
    }

    /**
     * Writes the event that {@link #endWait} ended.
     *
     * @param outcome one of {@link #ACQUIRED}, {@link #TAKEN_OVER}, {@link #TIMED_OUT}, {@link #INTERRUPTED}
     */
    public void write(String map, int entry, int stripe, int ownerPid, String outcome) {
        this.map = map;
        this.lock = LockNames.of(entry, stripe);
        this.entry = entry;
        this.stripe = stripe;
        this.ownerPid = ownerPid;
        this.timedOut = outcome.equals(TIMED_OUT);
        this.outcome = outcome;
        commit();
    }
}
