package dev.mapsync.internal.barrier;

import dev.mapsync.internal.lock.ProcessSlots;
import dev.mapsync.BarrierBrokenException;
import dev.mapsync.CorruptMapException;
import dev.mapsync.MapAccessDeniedException;
import dev.mapsync.MapClosedException;
import dev.mapsync.MapSyncException;
import dev.mapsync.WaitInterruptedException;
import dev.mapsync.WaitTimeoutException;
import dev.mapsync.internal.store.Durations;
import dev.mapsync.internal.store.MapRegion;
import dev.mapsync.internal.sys.Futex;
import dev.mapsync.internal.sys.Proc;
import dev.mapsync.internal.sys.SyscallException;
import dev.mapsync.internal.wait.Sleepers;
import dev.mapsync.internal.sys.Words;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static dev.mapsync.internal.barrier.BarrierLayout.BROKEN_AT;
import static dev.mapsync.internal.barrier.BarrierLayout.BROKEN_BIT;
import static dev.mapsync.internal.barrier.BarrierLayout.BROKEN_GENERATION;
import static dev.mapsync.internal.barrier.BarrierLayout.BROKEN_PID;
import static dev.mapsync.internal.barrier.BarrierLayout.BROKEN_WAITING;
import static dev.mapsync.internal.barrier.BarrierLayout.BROKEN_WHY;
import static dev.mapsync.internal.barrier.BarrierLayout.COUNT_MASK;
import static dev.mapsync.internal.barrier.BarrierLayout.LAST_TRIPPED;
import static dev.mapsync.internal.barrier.BarrierLayout.STATE;
import static dev.mapsync.internal.barrier.BarrierLayout.TRIPPED_BIT;
import static dev.mapsync.internal.barrier.BarrierLayout.WAKE;
import static dev.mapsync.internal.barrier.BarrierLayout.WHY_DIED;
import static dev.mapsync.internal.barrier.BarrierLayout.WHY_RESET;
import static dev.mapsync.internal.barrier.BarrierLayout.WHY_TIMED_OUT;
import static dev.mapsync.internal.barrier.BarrierLayout.seat;
import static dev.mapsync.internal.sys.Words.INT;
import static dev.mapsync.internal.sys.Words.LONG;

/**
 * A cross-process barrier of N parties with generations (see {@link dev.mapsync.internal.barrier.BarrierLayout}).
 *
 * <p><b>Arriving</b> is one compare-and-set of the state word: the count goes up by one, or, for the last party,
 * the generation goes up and the count back to 0 (the trip), after which the wake word is bumped and every sleeper
 * woken. A party that is not last waits for the generation to change: it spins briefly, then sleeps in
 * {@code FUTEX_WAIT} on the wake word (read before the state, so a bump in between ends the sleep at once) in
 * slices of {@value #SLICE_MILLIS} ms.
 *
 * <p><b>Liveness</b>: a process becomes a party at its first wait by taking a seat, which holds its owner token
 * ({@link ProcessSlots}). After each slice a waiter checks every seat; a seat whose handle is gone (its process died,
 * however it died, or it closed the handle) breaks the barrier, so the waiters learn of a dead party within a slice
 * or two instead of waiting for ever. A timeout or an interrupt breaks it too. Breaking sets the broken bit after
 * writing the break record (who, why, which generation); the waiters throw {@link BarrierBrokenException} with it.
 *
 * <p><b>Outcome</b> of a generation that a waiter sees end: the tripped bit of the state word says whether the
 * generation just before the current one tripped; the last-tripped word says which generation tripped last. A
 * generation that ended otherwise was reset while parties waited.
 */
public final class BarrierProtocol {
    static final long SLICE_MILLIS = 100;
    private static final long SLICE_NANOS = SLICE_MILLIS * 1_000_000;
    private static final int SPINS = 200;
    private static final int WHY_INTERRUPTED = 4;

    private final MapRegion region;
    private final MemorySegment control;
    private final long wakeAddress;
    private final int parties;
    private final int token;
    private volatile int seat = -1;
    /** The generation (unsigned) this handle has arrived in and waits for, or -1: see {@link #leave()}. */
    private volatile long waitingIn = -1;

    public BarrierProtocol(MapRegion region) {
        this.region = region;
        this.control = region.control();
        this.wakeAddress = control.address() + WAKE;
        this.parties = region.header().entries();
        this.token = region.readOnly() ? 0 : ProcessSlots.claim(control, region.lockFd(), region.name());
    }

    private static int generation(long state) {
        return (int) (state >>> 32);
    }

    private static int arrived(long state) {
        return (int) (state & COUNT_MASK);
    }

    private static boolean broken(long state) {
        return (state & BROKEN_BIT) != 0;
    }

    /**
     * Arrives at the barrier and waits for the other parties, at most {@code timeoutNanos}.
     *
     * @return the generation that tripped
     * @throws BarrierBrokenException if the generation broke (or was broken already)
     * @throws WaitTimeoutException   if the others did not all arrive in time (the barrier is then broken)
     */
    public long await(long timeoutNanos) { // one call at a time per handle: SharedBarrier's threads take turns
        checkWritable();
        join();
        long start = System.nanoTime();
        long deadline = start + Math.min(timeoutNanos, Long.MAX_VALUE / 4);
        for (int tries = 0; ; tries++) {
            if (tries == Words.CAS_TRIES) throw churned();
            long s = checked((long) LONG.getVolatile(control, STATE));
            int generation = generation(s);
            if (broken(s)) throw broken(generation);
            if (arrived(s) + 1 == parties) {
                long next = (long) (generation + 1) << 32 | TRIPPED_BIT;
                if (LONG.compareAndSet(control, STATE, s, next)) {
                    INT.setRelease(control, LAST_TRIPPED, generation + 1);
                    wakeAll();
                    return Integer.toUnsignedLong(generation);
                }
                continue;
            }
            if (LONG.compareAndSet(control, STATE, s, s + 1)) {
                waitingIn = Integer.toUnsignedLong(generation);
                try {
                    // a close that freed the seat meanwhile did not see this arrival: it must not outlive the party
                    if (seat < 0) breakBarrier(generation, WHY_DIED, Proc.PID);
                    return waitFor(generation, timeoutNanos, deadline);
                } finally {
                    waitingIn = -1;
                }
            }
        }
    }

    private long waitFor(int generation, long timeout, long deadline) {
        long nextCheck = System.nanoTime() + SLICE_NANOS;
        for (int spin = 0; ; spin++) {
            int wake = (int) INT.getVolatile(control, WAKE);
            long s = checked((long) LONG.getVolatile(control, STATE));
            if (generation(s) != generation) {
                boolean tripped = generation(s) == generation + 1 ? (s & TRIPPED_BIT) != 0
                        : (int) INT.getAcquire(control, LAST_TRIPPED) == generation + 1;
                if (tripped) return Integer.toUnsignedLong(generation);
                throw broken(generation);
            }
            if (broken(s)) throw broken(generation);
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                if (breakBarrier(generation, WHY_TIMED_OUT, Proc.PID)) {
                    throw new WaitTimeoutException("timed out after " + Durations.nanos(timeout) + " at barrier '"
                            + region.name() + "', generation " + Integer.toUnsignedLong(generation) + ": " + arrived(s)
                            + " of " + parties + " parties had arrived; the barrier is now broken for the others");
                }
                continue; // it tripped or broke meanwhile: the next round says which
            }
            if (now - nextCheck >= 0) {
                nextCheck = now + SLICE_NANOS;
                int dead = deadSeat();
                if (dead >= 0 && breakBarrier(generation, WHY_DIED, (int) INT.get(control, seat(dead) + 4))) {
                    throw broken(generation);
                }
            }
            if (spin < SPINS) {
                Thread.onSpinWait();
                continue;
            }
            sleep(wake, Math.min(Math.min(deadline - now, nextCheck - now), SLICE_NANOS));
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                breakBarrier(generation, WHY_INTERRUPTED, Proc.PID);
                throw new WaitInterruptedException("interrupted while waiting at barrier '" + region.name()
                        + "', generation " + Integer.toUnsignedLong(generation) + "; the barrier is now broken for the others");
            }
        }
    }

    /**
     * Breaks generation {@code generation} for {@code why}, if it is still current and not broken.
     *
     * @return true if this call broke it
     */
    private boolean breakBarrier(int generation, int why, int pid) {
        for (int tries = 0; ; tries++) {
            if (tries == Words.CAS_TRIES) throw churned();
            long s = (long) LONG.getVolatile(control, STATE);
            if (generation(s) != generation || broken(s)) return false;
            writeBreakRecord(generation, why, pid, arrived(s));
            if (LONG.compareAndSet(control, STATE, s, s | BROKEN_BIT)) {
                wakeAll();
                return true;
            }
        }
    }

    private void writeBreakRecord(int generation, int why, int pid, int waiting) {
        INT.set(control, BROKEN_WHY, why);
        INT.set(control, BROKEN_PID, pid);
        INT.set(control, BROKEN_WAITING, waiting);
        LONG.set(control, BROKEN_AT, System.currentTimeMillis());
        INT.setRelease(control, BROKEN_GENERATION, generation);
    }

    /**
     * Ends the current generation: parties waiting in it get {@link BarrierBrokenException}, a broken barrier is
     * whole again, and the seats of parties that are gone are freed. Nothing happens to a barrier no one waits at,
     * beyond freeing seats.
     */
    public void reset() {
        checkWritable();
        for (int tries = 0; ; tries++) {
            if (tries == Words.CAS_TRIES) throw churned();
            long s = (long) LONG.getVolatile(control, STATE);
            int generation = generation(s);
            if (!broken(s) && arrived(s) == 0) break;
            if (!broken(s)) writeBreakRecord(generation, WHY_RESET, Proc.PID, arrived(s));
            if (LONG.compareAndSet(control, STATE, s, (long) (generation + 1) << 32)) {
                wakeAll();
                break;
            }
        }
        for (int i = 0; i < parties; i++) {
            int t = (int) INT.getVolatile(control, seat(i));
            if (t != 0 && t != token && !ProcessSlots.isAlive(control, region.lockFd(), t)) {
                INT.compareAndSet(control, seat(i), t, 0);
            }
        }
    }

    /** Takes a seat now, if this handle has none: from then on the others notice if this process dies. */
    public void joinNow() {
        checkWritable();
        join();
    }

    /** Takes a seat: a free one, or one whose holder is gone. Synchronized: one handle takes one seat. */
    private synchronized void join() {
        if (seat >= 0) return;
        checkSeats();
        for (int i = 0; i < parties; i++) {
            // a load before each compare-and-set: a guarded access if the file shrank (see Pages)
            if ((int) INT.getVolatile(control, seat(i)) == 0 && INT.compareAndSet(control, seat(i), 0, token)) {
                takeSeat(i);
                return;
            }
        }
        for (int i = 0; i < parties; i++) {
            int t = (int) INT.getVolatile(control, seat(i));
            if (t != 0 && t != token && !ProcessSlots.isAlive(control, region.lockFd(), t)) {
                int deadPid = (int) INT.get(control, seat(i) + 4);
                if (!INT.compareAndSet(control, seat(i), t, token)) continue;
                takeSeat(i);
                breakForDeadHolder(deadPid);
                return;
            }
        }
        List<Integer> pids = new ArrayList<>();
        for (int i = 0; i < parties; i++) pids.add((int) INT.get(control, seat(i) + 4));
        throw new MapSyncException("barrier '" + region.name() + "' has its " + parties + " parties already (pids "
                + pids + "); a process becomes a party at its first await and stays one until it closes the barrier");
    }

    /**
     * Called by a party that took the seat of a holder that is gone: if anyone has arrived in the current generation,
     * the holder may be one of them, its arrival counted though it will never leave the barrier, and no waiter can
     * find it gone any more (the seat has a live holder again). Counted with this party's own arrival, it would trip
     * the generation one live party short; so the generation breaks, as the waiters would have broken it had they
     * looked first. A generation nobody has arrived in holds no arrival of the dead holder, and goes on.
     */
    private void breakForDeadHolder(int deadPid) {
        long s = (long) LONG.getVolatile(control, STATE);
        if (arrived(s) > 0 && !broken(s)) breakBarrier(generation(s), WHY_DIED, deadPid);
    }

    private void takeSeat(int i) {
        INT.set(control, seat(i) + 4, Proc.PID);
        LONG.set(control, seat(i) + 8, System.currentTimeMillis());
        seat = i;
    }

    /**
     * Frees this handle's seat (it is closing). If a thread of this handle has arrived and waits, its arrival would
     * stay counted for a party that is gone, and a party that takes the freed seat would trip the generation one live
     * party short: the generation breaks instead, as for a party that died while the others waited.
     */
    public synchronized void leave() {
        int mine = seat;
        seat = -1; // before looking for an arrival: an arrival racing with this sees it and breaks (see await)
        if (region.isClosed()) return;
        long waiting = waitingIn;
        if (waiting >= 0) {
            try {
                breakBarrier((int) waiting, WHY_DIED, Proc.PID);
            } catch (CorruptMapException e) {
                // a peer keeps writing the state word: closing goes on, and the others find this party gone by its seat
            }
        }
        if (mine >= 0 && (int) INT.getVolatile(control, seat(mine)) == token) {
            INT.compareAndSet(control, seat(mine), token, 0);
        }
    }

    /** The first seat whose holder's handle is gone, or -1. */
    private int deadSeat() {
        for (int i = 0; i < parties; i++) {
            int t = checkedSeat(i, (int) INT.getVolatile(control, seat(i)));
            if (t != 0 && t != token && !ProcessSlots.isAlive(control, region.lockFd(), t)) return i;
        }
        return -1;
    }

    /**
     * The state word {@code s}, once it is one the protocol gives: fewer parties arrived than the barrier has (the
     * last one trips it instead of counting itself). A reset sets any state right.
     */
    private long checked(long s) {
        if (arrived(s) >= parties) {
            throw corrupt(arrived(s) + " parties arrived at generation " + Integer.toUnsignedLong(generation(s))
                    + ", and it has " + parties);
        }
        return s;
    }

    /** Seat {@code i}'s word {@code t}, once it is free (0) or an owner token; a reset frees a seat that is not. */
    private int checkedSeat(int i, int t) {
        if (t != 0 && !ProcessSlots.isToken(t)) throw corrupt("seat " + i + " holds " + Integer.toUnsignedString(t)
                + ", which is no owner token");
        return t;
    }

    private void checkSeats() {
        for (int i = 0; i < parties; i++) checkedSeat(i, (int) INT.getVolatile(control, seat(i)));
    }

    /** The state word changed under every one of {@link Words#CAS_TRIES} compare-and-sets in a row. */
    private CorruptMapException churned() {
        return corrupt("its state word changed under each of " + Words.CAS_TRIES + " compare-and-sets in a row (a peer"
                + " that keeps writing it)");
    }

    private CorruptMapException corrupt(String problem) {
        return new CorruptMapException("barrier '" + region.name() + "' is corrupt: " + problem);
    }

    private BarrierBrokenException broken(int generation) {
        long g = Integer.toUnsignedLong(generation);
        String at = " at generation " + g;
        String why;
        if ((int) INT.getAcquire(control, BROKEN_GENERATION) != generation) {
            why = "it was broken" + at;
        } else {
            int pid = (int) INT.get(control, BROKEN_PID);
            String waited = " while " + INT.get(control, BROKEN_WAITING) + " of " + parties + " parties waited" + at;
            why = switch ((int) INT.get(control, BROKEN_WHY)) {
                case WHY_DIED -> "party pid " + pid + " died (or closed the barrier)" + waited;
                case WHY_TIMED_OUT -> "party pid " + pid + " timed out" + waited;
                case WHY_RESET -> "it was reset by pid " + pid + waited;
                case WHY_INTERRUPTED -> "party pid " + pid + " was interrupted" + waited;
                default -> "it was broken" + at;
            };
        }
        return new BarrierBrokenException("barrier '" + region.name() + "' is broken: " + why
                + "; reset it to use it again", g);
    }

    /** What the state and seats say now. */
    public Snapshot snapshot() {
        long s = checked((long) LONG.getVolatile(control, STATE));
        List<Party> seats = new ArrayList<>();
        for (int i = 0; i < parties; i++) {
            int t = checkedSeat(i, (int) INT.getVolatile(control, seat(i)));
            if (t == 0) continue;
            boolean alive = t == token || ProcessSlots.isAlive(control, region.lockFd(), t);
            seats.add(new Party(i, (int) INT.get(control, seat(i) + 4), alive));
        }
        String reason = broken(s) ? broken(generation(s)).getMessage() : null;
        return new Snapshot(Integer.toUnsignedLong(generation(s)), arrived(s), broken(s), reason, seats);
    }

    /** The state of a barrier at one moment. */
    public record Snapshot(long generation, int arrived, boolean broken, String brokenReason, List<Party> seats) {}

    /** A seated party. */
    public record Party(int seat, int pid, boolean alive) {}

    private void wakeAll() {
        INT.getAndAdd(control, WAKE, 1);
        try {
            Futex.wake(wakeAddress, Integer.MAX_VALUE);
        } catch (SyscallException e) {
            checkOpen();
            throw e;
        }
    }

    private void sleep(int wake, long nanos) {
        checkOpen();
        try {
            Sleepers.await(control.asSlice(WAKE, 4), wake, System.nanoTime() + nanos, Sleepers.Wake.ALL, null);
        } catch (SyscallException e) {
            checkOpen();
            throw e;
        }
    }

    private void checkOpen() {
        if (region.isClosed()) throw new MapClosedException("barrier '" + region.name() + "' is closed");
    }

    private void checkWritable() {
        checkOpen();
        if (token == 0) throw new MapAccessDeniedException("barrier '" + region.name() + "' is open read-only");
    }

}
