package dev.mapsync.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * An entry that a writer left half-written when it died (torn: reads of it fail with {@code TornEntryException}) was
 * made readable again: written whole by a lock owner, or, for a stripe marked torn as a whole, declared repaired.
 */
@Name("dev.mapsync.TornEntryRepaired")
@Label("Torn Entry Repaired")
@Category({"mapsync", "Locks"})
@Description("An entry that a dying writer left half-written was made readable again: written whole, or its stripe"
        + " declared repaired")
public final class TornEntryRepairedEvent extends Event {
    @Label("Map")
    @Description("The name of the map")
    public String map;

    @Label("Entry")
    @Description("The entry written whole, or -1 when every entry of the stripe was declared repaired")
    public int entry;

    @Label("Stripe")
    @Description("The stripe of the entry")
    public int stripe;

    @Label("Repair")
    @Description("rewritten (the entry was written whole), or declared repaired (declareRepaired, for a stripe torn"
            + " as a whole)")
    public String repair;

    /** How an entry was repaired. */
    public static final String REWRITTEN = "rewritten", DECLARED = "declared repaired";

    /** Writes the event, when a recording wants it. */
    public static void emit(String map, int entry, int stripe, String repair) {
        TornEntryRepairedEvent e = new TornEntryRepairedEvent();
        if (!e.shouldCommit()) return;
        e.map = map;
        e.entry = entry;
        e.stripe = stripe;
        e.repair = repair;
        e.commit();
    }
}
