package dev.mapsync.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * A lock was taken over from an owner that died holding it: by a waiter, by a {@code tryLock}, by a forced unlock
 * ({@code mapsync unlock --force}), or the reserve lock of a ring by a producer.
 */
@Name("dev.mapsync.LockTakeover")
@Label("Lock Takeover")
@Category({"mapsync", "Locks"})
@Description("A mapsync lock was taken over from an owner that died holding it")
public final class LockTakeoverEvent extends Event {
    @Label("Map")
    @Description("The name of the map")
    public String map;

    @Label("Lock")
    @Description("Which lock: entry N, entry N (stripe S), stripe S (a hash map's segment), map-wide, or reserve"
            + " (a ring's)")
    public String lock;

    @Label("Entry")
    @Description("The entry the caller asked for, or -1 (the map-wide lock, a hash map's segment, a ring)")
    public int entry;

    @Label("Stripe")
    @Description("The stripe of the lock (a hash map's segment), or -1 for the map-wide lock and a ring's")
    public int stripe;

    @Label("Dead Owner PID")
    @Description("The process that died holding the lock, as its own pid namespace numbered it; 0 if not known")
    public int deadOwnerPid;

    /** Writes the event of a map's lock (see {@link #lock}), when a recording wants it. */
    public static void emit(String map, int entry, int stripe, int deadOwnerPid) {
        emit(map, null, entry, stripe, deadOwnerPid);
    }

    /** Writes the event of the reserve lock of ring {@code map}, when a recording wants it. */
    public static void emitReserve(String map, int deadOwnerPid) {
        emit(map, "reserve", -1, -1, deadOwnerPid);
    }

    private static void emit(String map, String lock, int entry, int stripe, int deadOwnerPid) {
        LockTakeoverEvent e = new LockTakeoverEvent();
        if (!e.shouldCommit()) return;
        e.map = map;
        e.lock = lock != null ? lock : LockNames.of(entry, stripe);
        e.entry = entry;
        e.stripe = stripe;
        e.deadOwnerPid = deadOwnerPid;
        e.commit();
    }
}
