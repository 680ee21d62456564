package dev.mapsync.cli.chaos;

import dev.mapsync.SharedArray;
import dev.mapsync.TornEntryException;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The coordinator's checks of the record writers' map. While they run, a reader goes over every entry without
 * locks: a value must be whole (never half of two writes), at least the version acknowledged before the read, and
 * never older than one this reader saw before; an entry may be torn only while a record writer's intent names it
 * (the writer was killed writing it, and no lock owner has rebuilt it yet). While they are paused, every entry must
 * be whole and readable (the killed writers' next processes rebuilt what they tore) and hold exactly its
 * acknowledged version, or the version a killed writer wrote without acknowledging.
 */
final class RecordCheck {
    private final SharedArray<Stamp> map;
    private final Control control;
    private final Setup setup;
    private final long[] lastSeen = new long[Stamp.ENTRIES];

    RecordCheck(SharedArray<Stamp> map, Control control, Setup setup) {
        this.map = map;
        this.control = control;
        this.setup = setup;
    }

    /** One pass of the reader over every entry; returns how many reads it made and adds what is wrong. */
    int readPass(List<String> violations) {
        int reads = 0;
        for (int e = 0; e < Stamp.ENTRIES; e++) {
            long acked = control.get(Control.RECORD_ACKS + e);
            reads++;
            try {
                Stamp s = map.get(e);
                if (!s.wholeAt(e)) violations.add("records: entry " + e + " was read half-written: " + s);
                else if (s.version() < acked || s.version() < lastSeen[e]) {
                    violations.add("records: entry " + e + " read as version " + s.version() + " after version "
                            + Math.max(acked, lastSeen[e]) + " was acknowledged or seen");
                } else {
                    lastSeen[e] = s.version();
                }
            } catch (TornEntryException torn) {
                if (Stamp.intendedVersion(control, setup, e) != 0) continue;
                // the intent is cleared only after a lock owner rebuilt the entry: read it again before blaming
                try {
                    map.get(e);
                } catch (TornEntryException still) {
                    violations.add("records: entry " + e + " is torn, but no killed writer was writing it: "
                            + still.getMessage());
                }
            }
        }
        return reads;
    }

    /**
     * The check while every writer is paused; {@code unacknowledged} holds the intents (entry, version) that killed
     * writers left, read after each kill.
     */
    List<String> pausedCheck(Set<Long> unacknowledged) {
        List<String> violations = new ArrayList<>();
        int first = Kind.RECORD.firstSlot(setup.processes());
        for (int s = first; s < first + setup.processes(); s++) {
            long intent = control.slot(s, Control.INTENT);
            if (intent != 0) {
                violations.add("records: writer slot " + s + " still has an intent while paused: entry "
                        + Stamp.intentEntry(intent) + " version " + Stamp.intentVersion(intent));
            }
        }
        for (int e = 0; e < Stamp.ENTRIES; e++) {
            long acked = control.get(Control.RECORD_ACKS + e);
            try {
                Stamp s = map.get(e);
                if (!s.wholeAt(e)) {
                    violations.add("records: entry " + e + " was read half-written: " + s);
                } else if (s.version() != acked && !unacknowledged.contains(Stamp.intent(e, s.version()))) {
                    violations.add("records: entry " + e + " holds version " + s.version() + ", but version " + acked
                            + " was the last acknowledged and no killed writer was writing version " + s.version());
                }
            } catch (TornEntryException torn) {
                violations.add("records: entry " + e + " is still torn after the writers recovered: " + torn.getMessage());
            }
        }
        return violations;
    }
}
