package dev.mapsync.cli.chaos;

import dev.mapsync.BarrierSpec;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedBarrier;

import java.util.concurrent.locks.LockSupport;

/**
 * The barrier of the soak ({@link Setup#processes()} party processes and the coordinator's lead party) and the check
 * that it keeps its promise: a generation trips only once every party arrived. Before each await a party notes, in
 * its slot's ARRIVING word, the generation it arrives at (read from the barrier, which cannot move on without it);
 * after the await returns generation g, every party's note must be at least g. A reset moves the generation on
 * while parties may be between their note and their arrival, so a note carries the reset count it was made under,
 * and notes made before the last reset are not held against anyone.
 */
final class Arrivals {
    private Arrivals() {}

    private static final long GENERATION_MASK = (1L << 40) - 1;

    static BarrierSpec spec(Setup setup) {
        return MapSpec.barrier(setup.name("barrier"), setup.processes() + 1).dir(setup.dir());
    }

    /** The lead party's slot: the one after every worker slot. */
    static int leadSlot(Setup setup) {
        return setup.slots();
    }

    /** The slots of every party: the party processes' and the lead party's. */
    static int[] slots(Setup setup) {
        int first = Kind.PARTY.firstSlot(setup.processes());
        int[] slots = new int[setup.processes() + 1];
        for (int i = 0; i < setup.processes(); i++) slots[i] = first + i;
        slots[setup.processes()] = leadSlot(setup);
        return slots;
    }

    /** Notes that slot {@code slot} is about to arrive at the barrier's current generation. */
    static void note(Control control, SharedBarrier barrier, int slot) {
        while (true) {
            long resets = control.get(Control.RESETS);
            if ((resets & 1) != 0) { // the lead party is resetting: its generation is about to change
                LockSupport.parkNanos(100_000);
                continue;
            }
            long generation = barrier.status().generation();
            if (control.get(Control.RESETS) == resets) {
                control.setSlot(slot, Control.ARRIVING, resets << 40 | generation);
                return;
            }
        }
    }

    /** After an await returned {@code generation}: a party whose note is behind it had not arrived. */
    static String check(Control control, Setup setup, long generation) {
        long resets = control.get(Control.RESETS);
        for (int s : slots(setup)) {
            long note = control.slot(s, Control.ARRIVING);
            if (note >>> 40 != resets) continue;
            if ((note & GENERATION_MASK) < generation) {
                return "barrier: generation " + generation + " tripped while the party in slot " + s
                        + " was still to arrive at generation " + (note & GENERATION_MASK);
            }
        }
        return null;
    }

    /** Resets the barrier, counting the reset so that notes made before it are not held against anyone. */
    static void reset(Control control, SharedBarrier barrier) {
        control.add(Control.RESETS, 1);
        barrier.reset();
        control.add(Control.RESETS, 1);
    }
}
