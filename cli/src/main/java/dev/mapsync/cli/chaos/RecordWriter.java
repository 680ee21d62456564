package dev.mapsync.cli.chaos;

import dev.mapsync.LockGuard;
import dev.mapsync.SharedArray;
import dev.mapsync.TornEntryException;

import java.util.SplittableRandom;

/**
 * A record writer: under an entry's lock, reads its version, notes its intent (entry and next version) in its slot,
 * writes the next version, acknowledges it (the entry's ack word holds the last version acknowledged), and clears
 * its intent. Every writer may write every entry, so the next lock owner of an entry a killed writer tore is usually
 * another writer: it rebuilds the entry from the killed writer's intent, which is still in its slot (a value is a
 * function of entry and version). Asked to stall, it stops holding the lock, its intent noted, before writing.
 */
final class RecordWriter implements Work {
    private final Control control;
    private final int slot;
    private final Setup setup;
    private final SharedArray<Stamp> map;
    private final SplittableRandom random;

    RecordWriter(Control control, int slot, Setup setup, long seed) {
        this.control = control;
        this.slot = slot;
        this.setup = setup;
        this.map = SharedArray.open(Stamp.spec(setup));
        this.random = new SplittableRandom(seed);
    }

    /** The previous process of this slot may have died writing the entry its intent names: make it whole. */
    @Override
    public void recover() {
        long intent = control.slot(slot, Control.INTENT);
        if (intent == 0) return;
        int entry = Stamp.intentEntry(intent);
        try (LockGuard held = map.lock(entry)) {
            if (held.previousOwnerDied()) control.addSlot(slot, Control.TAKEOVERS, 1);
            current(entry);
            control.setSlot(slot, Control.INTENT, 0); // only now: until the entry is whole, the intent explains it
        } catch (Violation v) {
            control.violation(slot, v.getMessage());
        }
    }

    @Override
    public void once(boolean stall) {
        int entry = random.nextInt(Stamp.ENTRIES);
        try (LockGuard held = map.lock(entry)) {
            if (held.previousOwnerDied()) control.addSlot(slot, Control.TAKEOVERS, 1);
            long version = current(entry) + 1;
            control.setSlot(slot, Control.INTENT, Stamp.intent(entry, version));
            if (stall) control.stallUntilKilled(slot);
            map.set(entry, Stamp.of(entry, version));
            control.set(Control.RECORD_ACKS + entry, version);
            control.setSlot(slot, Control.INTENT, 0);
        } catch (Violation v) {
            control.violation(slot, v.getMessage());
        }
    }

    /** The entry's version, after rebuilding it if a killed writer left it torn; the caller holds its lock. */
    private long current(int entry) {
        try {
            Stamp s = map.get(entry);
            if (!s.wholeAt(entry)) throw new Violation("entry " + entry + " of the records was read half-written: " + s);
            return s.version();
        } catch (TornEntryException torn) {
            long version = Stamp.intendedVersion(control, setup, entry);
            if (version == 0) throw new Violation("entry " + entry + " of the records is torn, but no record writer's"
                    + " intent names it: " + torn.getMessage());
            map.set(entry, Stamp.of(entry, version));
            control.addSlot(slot, Control.REPAIRS, 1);
            return version;
        }
    }

    @Override
    public void close() {
        map.close();
    }
}
