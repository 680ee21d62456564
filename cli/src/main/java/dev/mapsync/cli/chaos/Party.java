package dev.mapsync.cli.chaos;

import dev.mapsync.BarrierBrokenException;
import dev.mapsync.SharedBarrier;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A barrier party process: takes its seat (the seat of the slot's killed process, which the barrier frees when it
 * finds that process gone), then meets the other parties generation after generation, checking that each
 * generation tripped only once every party had arrived and that generations only go forward. When a party is killed
 * the barrier breaks for everyone ({@code BarrierBrokenException}); a party then waits until the lead party (a
 * thread of the coordinator) resets it, which it does once the killed party's replacement is seated, and goes on.
 *
 * <p>Pausing between rounds must not leave anyone waiting at the barrier: the lead party, when a pause is asked,
 * writes the generation it is about to arrive at into STOP_GEN before arriving, so every party learns it after that
 * generation trips, and pauses then.
 */
final class Party {
    private Party() {}

    static final Duration TIMEOUT = Duration.ofSeconds(30);

    static void run(Control control, int slot, Setup setup, long seed) {
        try (SharedBarrier barrier = SharedBarrier.open(Arrivals.spec(setup))) {
            barrier.join();
            Niceness.lower(WorkerMain.NICE);
            control.setSlot(slot, Control.READY, ProcessHandle.current().pid());
            long last = -1;
            while (true) {
                long state = control.state();
                if (state == Control.STOP) return;
                if (Control.isPaused(state) && pauseDue(control, state, last)) {
                    if (!control.awaitRunning(slot)) return;
                    continue;
                }
                if (control.takeStall(slot)) control.stallUntilKilled(slot); // keeps the others waiting for it
                Phases.work(control, barrier.status().generation(), slot - Kind.PARTY.firstSlot(setup.processes()),
                        barrier.parties());
                Arrivals.note(control, barrier, slot); // after the work: the note says it is about to arrive
                long start = System.nanoTime();
                try {
                    long generation = barrier.await(TIMEOUT);
                    String wrong = Arrivals.check(control, setup, generation);
                    if (wrong != null) control.violation(slot, wrong);
                    if (generation <= last) {
                        control.violation(slot, "barrier: generation " + generation + " tripped after generation " + last);
                    }
                    last = generation;
                    control.operationDone(slot, System.nanoTime() - start);
                } catch (BarrierBrokenException broken) {
                    control.setSlot(slot, Control.BROKEN_AT, System.nanoTime());
                    if (!awaitReset(control, barrier, slot)) return;
                }
            }
        }
    }

    /**
     * True when a paused party should stop arriving: it never arrived (a party that just started), or it has met the
     * generation the lead party named for this pause.
     */
    static boolean pauseDue(Control control, long state, long last) {
        if (last < 0) return true;
        long stop = control.get(Control.STOP_GEN);
        return stop >>> 32 == Control.round(state) && last >= (stop & 0xFFFF_FFFFL);
    }

    /** Waits until the barrier is reset (saying it is paused meanwhile, if a pause comes); false if the soak stops. */
    static boolean awaitReset(Control control, SharedBarrier barrier, int slot) {
        while (true) {
            long state = control.state();
            if (state == Control.STOP) return false;
            if (Control.isPaused(state) && control.slot(slot, Control.PAUSED) != state) {
                control.setSlot(slot, Control.PAUSED, state);
            }
            if (!barrier.status().broken()) return true;
            LockSupport.parkNanos(1_000_000);
        }
    }
}
