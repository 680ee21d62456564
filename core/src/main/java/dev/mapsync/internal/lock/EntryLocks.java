package dev.mapsync.internal.lock;

import dev.mapsync.LockAlreadyHeldException;
import dev.mapsync.LockInfo;
import dev.mapsync.LockInterruptedException;
import dev.mapsync.LockTimeoutException;
import dev.mapsync.MapAccessDeniedException;
import dev.mapsync.internal.events.LockTakeoverEvent;
import dev.mapsync.internal.events.LockWaitEvent;
import dev.mapsync.internal.store.ControlLayout;
import dev.mapsync.internal.store.Header;
import dev.mapsync.internal.sys.Futex;
import dev.mapsync.internal.sys.Proc;
import dev.mapsync.internal.wait.Sleepers;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Optional;

import static dev.mapsync.internal.sys.Words.INT;
import static dev.mapsync.internal.sys.Words.LONG;

/**
 * The robust cross-process locks and sequence words of one map handle (see {@link LockRecord}).
 *
 * <p><b>Locking.</b> Uncontended, a lock is one compare-and-set of the lock word from 0 to the handle's token and an
 * unlock one atomic exchange back to 0: no system call. A waiter does not spin, as glibc's mutex does not: it marks the
 * word as having sleepers and sleeps on it ({@link Sleepers}: {@code FUTEX_WAIT}, or parked while the process's sleeper
 * thread waits for virtual threads), until its own deadline. A waiter asks the kernel whether the owner's handle is
 * still open ({@link ProcessSlots}) when it begins to wait and when its first slice ({@value #SLICE_MILLIS} ms) of
 * sleep ends; after that, once a slice that thread asks for all the lock's sleepers at once. When the owner is gone, a
 * waiter takes the lock over with a compare-and-set and reports that the previous owner died.
 * An unlock calls {@code FUTEX_WAKE} only if the word says someone sleeps. So sleepers cost no CPU, however many.
 * The sequence words in the same records are {@link dev.mapsync.internal.seq.SeqLocks}'.
 */
public final class EntryLocks {
    static final long SLICE_MILLIS = 20;
    public static final long SLICE_NANOS = SLICE_MILLIS * 1_000_000;
    private static final long RECORD_SIZE = ControlLayout.LOCK_RECORD_SIZE;

    /** The record of the map-wide lock. */
    public static final long MAP_RECORD = ControlLayout.MAP_LOCK;

    private final MemorySegment control;
    private final long controlAddress;
    private final int stripes;
    private final int entries;
    private final long stripesOffset;
    private final int token;
    private final int fd;
    private final String mapName;
    private final long timeoutNanos;

    /**
     * @param readOnly read-only handles hold no slot and cannot lock or write, but read consistently
     */
    public EntryLocks(MemorySegment control, Header header, int fd, boolean readOnly, String mapName, Duration timeout) {
        this.control = control;
        this.controlAddress = control.address();
        this.stripes = header.lockStripes();
        this.entries = header.entries();
        this.stripesOffset = header.control().stripesOffset();
        this.fd = fd;
        this.mapName = mapName;
        this.timeoutNanos = timeout.toNanos();
        this.token = readOnly ? 0 : ProcessSlots.claim(control, fd, mapName);
    }

    /** This handle's owner token (0 for a read-only handle). */
    public int token() {
        return token;
    }

    /** False once the handle was closed: its memory is unmapped, and its locks went with it. */
    public boolean isOpen() {
        return control.scope().isAlive();
    }

    /** The map's name, for messages. */
    public String mapName() {
        return mapName;
    }

    /** The default lock timeout of this handle. */
    public long timeoutNanos() {
        return timeoutNanos;
    }

    public int stripes() {
        return stripes;
    }

    /** The stripe that guards entry {@code index} (which must be in range). */
    public int stripeOf(int index) {
        // one lock per entry is the common case: skip the division, which costs more than the lock itself
        return stripes == entries ? index : index % stripes;
    }

    /** The offset of a stripe's lock record in the control region. */
    public long stripeRecord(int stripe) {
        return stripesOffset + stripe * RECORD_SIZE;
    }

    /** The lock record that guards entry {@code index}. */
    public long recordOf(int index) {
        return stripeRecord(stripeOf(index));
    }

    // ------------------------------------------------------------------------------------------------- locking

    /**
     * Takes the lock of record {@code rec}, waiting at most {@code timeoutNanos}.
     *
     * @param index the entry the caller asked for (for messages), or -1 for the map-wide lock
     * @return true if the lock was taken over from an owner that died
     */
    public boolean acquire(long rec, int index, long timeoutNanos) {
        return lockOrUnlock(rec, index, timeoutNanos, false);
    }

    /** Releases a lock this handle holds, waking one sleeper if the word says there are any. */
    public void release(long rec) {
        lockOrUnlock(rec, -1, 0, true); // the index and the timeout serve only to take a lock
    }

    /**
     * The lock word's two transitions, {@link #acquire} (the free lock and the wait) and {@link #release}, in
     * one method larger than C2 inlines into a caller ({@code FreqInlineSize}, 325 bytes of bytecode), on purpose:
     * each costs a call, and a lock guard stays off the heap. C2 inlines an already compiled method only while its
     * code is small ({@code InlineSmallCode}), and a guard is scalar replaced only where its close is inlined. Either
     * transition inlined (five checked accesses to the shared page) made its caller too big for that: {@code lock()}
     * with the free lock in it, or a guard's close with the unlock in it. {@code LockOutOfLineTest} checks the size;
     * docs/BENCHMARKS.md says what it cost under contention.
     */
    private boolean lockOrUnlock(long rec, int index, long timeoutNanos, boolean unlock) {
        if (unlock) {
            LONG.set(control, rec + LockRecord.THREAD, 0L);
            INT.set(control, rec + LockRecord.PID, 0);
            // set only by waiters and by a takeover: a load is cheaper than a store on the uncontended path
            if ((long) LONG.get(control, rec + LockRecord.SINCE) != 0) LONG.set(control, rec + LockRecord.SINCE, 0L);
            if ((int) INT.get(control, rec + LockRecord.RECOVERED) != 0) INT.set(control, rec + LockRecord.RECOVERED, 0);
            int old = (int) INT.getAndSet(control, rec + LockRecord.WORD, 0);
            if ((old & LockRecord.WAITERS) != 0) wakeOne(rec);
            return false;
        }
        int me = token;
        // the load first, though it costs 0.9 ns of a 20 ns lock: where the file shrank under the handle, a load
        // fails with an error, while the interpreter's compare-and-set crashes the JVM (see Pages)
        if (me != 0 && (int) INT.getOpaque(control, rec + LockRecord.WORD) == 0
                && INT.compareAndSet(control, rec + LockRecord.WORD, 0, me)) {
            stampOwner(rec);
            return ((int) INT.getAcquire(control, rec + LockRecord.SEQ) & 1) != 0 && repairedDeadWrite(rec);
        }
        checkWritable();
        checkReentry(rec, index);
        // no spin: a spinning waiter's loads take the lock's line from under the owner's stores to it (the owner
        // fields, the unlock), which cost two processes contending for the lock over a third of their rate, and 100
        // virtual threads of one process half of theirs (docs/BENCHMARKS.md); an owner whose waiters sleep runs on
        // undisturbed
        long start = System.nanoTime();
        long deadline = start + timeoutNanos;
        int sleepers = 0; // once we have slept, others may sleep too: keep the waiters bit when we take the lock
        // the Flight Recorder's record of the wait: begun just before the waiter says it sleeps and sleeps, if a
        // recording wants it (so a wait that never gets there loads no event class), and ended however the wait ends
        boolean waitBegun = false;
        LockWaitEvent wait = null;
        int waitedOn = 0;
        Sleepers.Check ownerGone = null;
        boolean looked = false;
        while (true) {
            int w = (int) INT.getVolatile(control, rec + LockRecord.WORD);
            if (w == 0) {
                if (INT.compareAndSet(control, rec + LockRecord.WORD, 0, me | sleepers)) {
                    stampOwner(rec);
                    LONG.set(control, rec + LockRecord.SINCE, System.currentTimeMillis());
                    boolean repaired = repairedDeadWrite(rec);
                    if (wait != null) endWait(wait, rec, index, waitedOn, LockWaitEvent.ACQUIRED);
                    return repaired;
                }
                // another locker won it; a peer that keeps changing the word must not keep this wait past its deadline
                long now = System.nanoTime();
                if (now - deadline >= 0) {
                    if (sleepers != 0) leaveSleepersBit(rec);
                    if (wait != null) endWait(wait, rec, index, waitedOn, LockWaitEvent.TIMED_OUT);
                    throw timedOut(rec, index, (int) INT.getVolatile(control, rec + LockRecord.WORD) & LockRecord.TOKEN_MASK,
                            now - start);
                }
                continue;
            }
            int owner = w & LockRecord.TOKEN_MASK;
            long now = System.nanoTime();
            // asking the kernel is a system call: on the first pass (an owner that died before we came is found at
            // once), then on passes after the first slice (its end, and the service's wake-ups). Passes in between
            // are hand-overs another locker won, where the owner has just locked and lives.
            boolean look = !looked || now - start >= SLICE_NANOS;
            looked = true;
            if (look && owner != me && !ProcessSlots.isAlive(control, fd, owner)) {
                if (INT.compareAndSet(control, rec + LockRecord.WORD, w, me | sleepers | (w & LockRecord.WAITERS))) {
                    int deadPid = ownerPid(rec, owner);
                    stampOwner(rec); // first: until then the record names the dead owner's thread, which ours may share
                    takeOver(rec);
                    LONG.set(control, rec + LockRecord.SINCE, System.currentTimeMillis());
                    LockTakeoverEvent.emit(mapName, index, stripeOfRecord(rec), deadPid);
                    if (wait != null) endWait(wait, rec, index, waitedOn, LockWaitEvent.TAKEN_OVER);
                    return true;
                }
                // the word changed: on to the deadline, then round again (a peer that keeps writing tokens that read
                // as dead must not keep this wait past it); a free word is tried at once
                w = (int) INT.getVolatile(control, rec + LockRecord.WORD);
                if (w == 0) continue;
                owner = w & LockRecord.TOKEN_MASK;
            }
            // a failed CAS takes the owner's cache line as a successful one does: load first
            if ((long) LONG.getOpaque(control, rec + LockRecord.SINCE) == 0) {
                LONG.compareAndSet(control, rec + LockRecord.SINCE, 0L, System.currentTimeMillis());
            }
            if (now - deadline >= 0) {
                if (sleepers != 0) leaveSleepersBit(rec);
                if (wait != null) endWait(wait, rec, index, waitedOn, LockWaitEvent.TIMED_OUT);
                throw timedOut(rec, index, owner, now - start);
            }
            if (!waitBegun) {
                waitBegun = true;
                wait = LockWaitEvent.beginIfEnabled();
            }
            if (waitedOn == 0) waitedOn = (int) INT.get(control, rec + LockRecord.PID); // 0 until the owner writes it
            if ((w & LockRecord.WAITERS) == 0
                    && !INT.compareAndSet(control, rec + LockRecord.WORD, w, w | LockRecord.WAITERS)) {
                continue;
            }
            sleepers = LockRecord.WAITERS;
            if (ownerGone == null) ownerGone = ownerGone(rec, start + SLICE_NANOS);
            Sleepers.await(control.asSlice(rec + LockRecord.WORD, 4), w | LockRecord.WAITERS, deadline, Sleepers.Wake.ONE,
                    ownerGone);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                leaveSleepersBit(rec);
                if (wait != null) endWait(wait, rec, index, waitedOn, LockWaitEvent.INTERRUPTED);
                throw new LockInterruptedException("interrupted while waiting for " + what(rec, index));
            }
        }
    }

    /**
     * Called by a waiter that slept and gives up (its deadline passed, or it was interrupted). It may have taken the
     * wake-up an unlock meant for the next sleeper, and a locker that came in between may have taken the lock without
     * the waiters bit: the new owner's unlock would then wake no one, and the other sleepers would sleep on until
     * their own slices ended. So it sets the bit on a held word, as a waiter that went back to sleep would, and wakes
     * one sleeper if the word is free or changed under it. There may be no one left to wake: that costs the next
     * unlock one {@code FUTEX_WAKE}.
     */
    private void leaveSleepersBit(long rec) {
        int w = (int) INT.getVolatile(control, rec + LockRecord.WORD);
        if (w != 0 && ((w & LockRecord.WAITERS) != 0
                || INT.compareAndSet(control, rec + LockRecord.WORD, w, w | LockRecord.WAITERS))) {
            return;
        }
        wakeOne(rec);
    }

    /** Ends the Flight Recorder's record of a wait for the lock of {@code rec}, and writes it if it was long enough. */
    private void endWait(LockWaitEvent wait, long rec, int index, int ownerPid, String outcome) {
        if (wait.endWait()) wait.write(mapName, index, stripeOfRecord(rec), ownerPid, outcome);
    }

    /** The stripe whose lock record is {@code rec}, or -1 for the map-wide lock. */
    public int stripeOfRecord(long rec) {
        return rec == MAP_RECORD ? -1 : (int) ((rec - stripesOffset) / RECORD_SIZE);
    }

    /**
     * The pid of the owner {@code owner} of the lock of {@code rec}, which the caller has just taken from it: as the
     * record says, or, when the owner died before writing it there, as its process slot says (0 if that was claimed
     * again since).
     */
    private int ownerPid(long rec, int owner) {
        int pid = (int) INT.get(control, rec + LockRecord.PID);
        return pid != 0 ? pid : ProcessSlots.pidOf(control, owner);
    }

    /**
     * What sleepers on the lock of {@code rec} cannot learn from the futex, checked for them all once a slice: its
     * owner died (its handle is gone, however its process ended), or it is free (a wake-up that went astray).
     */
    private Sleepers.Check ownerGone(long rec, long watchFrom) {
        int me = token;
        return new Sleepers.Check(() -> {
            int w = (int) INT.getVolatile(control, rec + LockRecord.WORD);
            int owner = w & LockRecord.TOKEN_MASK;
            return w == 0 || owner != me && !ProcessSlots.isAlive(control, fd, owner);
        }, SLICE_NANOS, watchFrom);
    }

    /**
     * Takes the lock of {@code rec} if that needs no waiting: it is free, or its owner died.
     *
     * @return 0 if another live owner holds it, 1 if taken, 2 if taken over from a dead owner
     */
    public int tryAcquire(long rec, int index) {
        checkWritable();
        int me = token;
        while (true) {
            int w = (int) INT.getVolatile(control, rec + LockRecord.WORD);
            if (w == 0) {
                if (INT.compareAndSet(control, rec + LockRecord.WORD, 0, me)) {
                    stampOwner(rec);
                    return repairedDeadWrite(rec) ? 2 : 1;
                }
                continue;
            }
            int owner = w & LockRecord.TOKEN_MASK;
            if (owner == me || ProcessSlots.isAlive(control, fd, owner)) {
                checkReentry(rec, index);
                return 0;
            }
            if (INT.compareAndSet(control, rec + LockRecord.WORD, w, me | (w & LockRecord.WAITERS))) {
                int deadPid = ownerPid(rec, owner);
                stampOwner(rec); // first, as in acquire
                takeOver(rec);
                LockTakeoverEvent.emit(mapName, index, stripeOfRecord(rec), deadPid);
                return 2;
            }
        }
    }

    /** Per thread, the records its operations in flight hold, innermost last; element 0 is the count. */
    private final ThreadLocal<long[]> operations = ThreadLocal.withInitial(() -> new long[8]);
    /** The records that an operation in flight runs under a guard's lock (guarded by itself). */
    private final Set<Long> underGuard = new HashSet<>();
    /** Whether any operation ever ran under a guard of this handle: until then, closing a guard waits for nothing. */
    private volatile boolean guarded;

    /**
     * Takes the lock of record {@code rec} for one operation of a hash map (an update, which may run a caller's
     * function), unless the calling thread holds it through this handle's {@code lock} or {@code lockAll}: the
     * operation then runs under that, and the guard's close waits for it. A thread whose own operation in flight
     * holds the lock (a function given to {@code compute} that writes the map, at any depth) is refused: that
     * operation is between its probe and its store.
     *
     * @return what {@link #endOperation} needs
     * @throws dev.mapsync.LockAlreadyHeldException if an operation of this thread in flight holds the lock
     */
    public boolean beginOperation(long rec, int index, long timeoutNanos) {
        // the lock word first: a map whose memory vanished fails here as the access it is
        boolean held = heldByCurrentThread(rec);
        long[] stack = operations.get();
        int depth = (int) stack[0];
        for (int i = 1; i <= depth; i++) {
            if (stack[i] != rec) continue;
            if (held) throw alreadyHeld(rec, index, token);
            // an operation that never ended (an error the JVM delivered after it had begun, past its finally):
            // forget it and those after it
            depth = i - 1;
            stack[0] = depth;
            break;
        }
        // a guard's close by another thread may have begun since: the operation then takes the lock itself
        boolean took = !held || !enterUnderGuard(rec);
        if (took) acquire(rec, index, timeoutNanos);
        if (depth + 1 == stack.length) operations.set(stack = Arrays.copyOf(stack, stack.length * 2));
        stack[depth + 1] = rec;
        stack[0] = depth + 1;
        return took;
    }

    /** Ends an operation {@link #beginOperation} began: releases the lock if it took it. */
    public void endOperation(long rec, boolean took) {
        long[] stack = operations.get();
        if (stack[0] > 0) stack[0]--;
        if (took) release(rec);
        else leaveUnderGuard(rec);
    }

    /**
     * Says that the calling thread, which {@link #heldByCurrentThread holds} the lock of {@code rec}, begins a write
     * under it, so that the guard's close by another thread waits for it; end it with {@link #leaveUnderGuard}.
     * False if such a close has begun meanwhile: the caller then takes the lock as anyone would.
     */
    public boolean enterUnderGuard(long rec) {
        // with awaitNoOperationUnder, in the other order: say so, then look at the owner; a close clears the owner,
        // then looks at what runs under it. One of the two sees the other's store.
        guarded = true;
        synchronized (underGuard) {
            underGuard.add(rec);
        }
        // the word too: between the caller's look and this one, the lock may have been released and taken by a
        // thread of another process whose id is this thread's
        if (heldByCurrentThread(rec)) return true;
        leaveUnderGuard(rec);
        return false;
    }

    /** Ends what {@link #enterUnderGuard} began. */
    public void leaveUnderGuard(long rec) {
        synchronized (underGuard) {
            underGuard.remove(rec);
            underGuard.notifyAll();
        }
    }

    /**
     * Waits until no operation runs under the guard that holds {@code rec}: the guard's close must not release the
     * lock while the holder's write is half done (a guard may be closed by any thread). Only the thread that took the
     * lock writes under it: its own close waits for nothing.
     *
     * @param lockingThread the id of the thread that took the lock, as the guard remembers it: the record names the
     *                      same thread while the guard holds the lock, and asking the guard spares the unlock's path
     *                      an access to the shared page
     * @throws IllegalStateException if the calling thread's own operation runs under it (a function given to
     *                               {@code compute} that closes the guard it runs under)
     */
    public void awaitNoOperationUnder(long rec, long lockingThread) {
        if (lockingThread != Thread.currentThread().threadId()) {
            awaitOwnersOperation(rec);
            return;
        }
        refuseCloseInsideOperation(rec);
    }

    /**
     * Refuses the close of the guard that holds {@code rec} by a thread whose own operation runs under it: the close
     * would wait for that operation, or release the lock in its middle.
     *
     * @throws IllegalStateException if the calling thread's operation runs under the lock of {@code rec}
     */
    public void refuseCloseInsideOperation(long rec) {
        if (!guarded) return; // no operation ever ran under a guard of this handle: the unlock's fast path
        long[] stack = operations.get();
        for (int i = 1; i <= stack[0]; i++) {
            if (stack[i] == rec) {
                throw new IllegalStateException("a lock guard of map '" + mapName + "' cannot be closed inside an"
                        + " operation that runs under it");
            }
        }
    }

    /**
     * A close by a thread other than the owner: the record stops naming the owner, so that no write of its begins
     * under the lock, and then the owner's write under way, if any, ends.
     */
    private void awaitOwnersOperation(long rec) {
        LONG.setVolatile(control, rec + LockRecord.THREAD, 0L);
        if (!guarded) return;
        boolean interrupted = false;
        synchronized (underGuard) {
            while (underGuard.contains(rec)) {
                try {
                    underGuard.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** The downcall only an unlock with sleepers makes. */
    private void wakeOne(long rec) {
        Futex.wake(controlAddress + rec + LockRecord.WORD, 1);
    }

    /**
     * True if this handle holds the lock and the calling thread took it. Both loads are volatile: {@link
     * #enterUnderGuard} needs its look at the owner after its registration (a volatile load costs a plain one on x86).
     */
    public boolean heldByCurrentThread(long rec) {
        return ((int) INT.getVolatile(control, rec + LockRecord.WORD) & LockRecord.TOKEN_MASK) == token
                && (long) LONG.getVolatile(control, rec + LockRecord.THREAD) == Thread.currentThread().threadId();
    }

    /**
     * Frees a lock whose owner is dead, repairing the sequence word as a new owner would.
     *
     * @return the description of what was done
     * @throws IllegalStateException if the lock is free, or its owner is alive
     */
    public String forceRelease(long rec, int index) {
        checkWritable();
        while (true) {
            int w = (int) INT.getVolatile(control, rec + LockRecord.WORD);
            if (w == 0) {
                int unfinished = unfinishedWrite(rec);
                if (unfinished == 0) throw new IllegalStateException(what(rec, index) + " is not held");
                if (!INT.compareAndSet(control, rec + LockRecord.WORD, 0, token)) continue;
                stampOwner(rec);
                repairedDeadWrite(rec);
                release(rec);
                String entry = unfinished == UNKNOWN_ENTRY ? "an unknown entry of the stripe" : "entry " + (unfinished - 1);
                String marked = unfinished == UNKNOWN_ENTRY ? "every entry of the stripe is marked torn until a lock"
                        + " owner declares it repaired" : "entry " + (unfinished - 1) + " is marked torn until it is"
                        + " written again";
                return "repaired " + what(rec, index) + ": it was free, but a write of " + entry + " was left"
                        + " unfinished; " + marked;
            }
            int owner = w & LockRecord.TOKEN_MASK;
            int pid = (int) INT.get(control, rec + LockRecord.PID);
            if (owner == token || ProcessSlots.isAlive(control, fd, owner)) {
                throw new IllegalStateException("refusing to free " + what(rec, index) + ": its owner, pid " + pid
                        + ", is alive");
            }
            if (INT.compareAndSet(control, rec + LockRecord.WORD, w, token | (w & LockRecord.WAITERS))) {
                int deadPid = ownerPid(rec, owner);
                stampOwner(rec); // first, as in acquire
                takeOver(rec);
                release(rec);
                LockTakeoverEvent.emit(mapName, index, stripeOfRecord(rec), deadPid);
                return "freed " + what(rec, index) + ", whose owner (pid " + pid + ") had died";
            }
        }
    }

    private void stampOwner(long rec) {
        INT.set(control, rec + LockRecord.PID, Proc.PID);
        LONG.set(control, rec + LockRecord.THREAD, Thread.currentThread().threadId());
    }

    /** The state a new owner inherits from a dead one: a write it cut short marks its entry torn. */
    private void takeOver(long rec) {
        repairedDeadWrite(rec);
        INT.set(control, rec + LockRecord.RECOVERED, 1);
    }

    /** What {@link #unfinishedWrite} returns when the writing word names no entry of the stripe. */
    static final int UNKNOWN_ENTRY = -1;

    /**
     * The entry (index + 1) whose write was left unfinished in the stripe of {@code rec}: its sequence is odd. 0 when
     * it is even; {@link #UNKNOWN_ENTRY} when the writing word names no entry of the stripe (a peer wrote it).
     */
    int unfinishedWrite(long rec) {
        long word = (long) LONG.getAcquire(control, rec + LockRecord.SEQ);
        if ((word & 1) == 0) return 0;
        int writing = (int) (word >>> 32);
        return rec == MAP_RECORD || guards(rec, writing - 1) ? writing : UNKNOWN_ENTRY;
    }

    /** True if entry {@code index} is one the lock of {@code rec} guards. */
    public boolean guards(long rec, int index) {
        return index >= 0 && index < entries && recordOf(index) == rec;
    }

    /**
     * Called by a new owner of the lock of {@code rec}: if the stripe's sequence is odd, a write was left unfinished
     * (its writer died, whether or not it held the lock still: a writer whose write faulted may have let go, and
     * a peer may have written the word). Marks its entry torn, or every entry of the stripe when the writing word
     * names none of them, and closes the window.
     *
     * @return true if there was such a write to repair
     */
    private boolean repairedDeadWrite(long rec) {
        int unfinished = unfinishedWrite(rec);
        if (unfinished == 0) return false;
        int s = (int) INT.get(control, rec + LockRecord.SEQ);
        if (unfinished == UNKNOWN_ENTRY) TornList.markAll(control, rec);
        else if (rec != MAP_RECORD) TornList.mark(control, rec, unfinished);
        LockRecord.endWindow(control, rec, s + 1);
        return true;
    }

    private void checkReentry(long rec, int index) {
        int w = (int) INT.getVolatile(control, rec + LockRecord.WORD);
        long thread = (long) LONG.get(control, rec + LockRecord.THREAD);
        if (w == 0 || thread != Thread.currentThread().threadId()) return;
        int owner = w & LockRecord.TOKEN_MASK;
        // the owner is this handle, or another handle of this process: its token is still current (no one claimed
        // its slot since) and the slot names this process. A slot number and a thread id alone would take a dead
        // owner for us when we took its slot over: a restarted process gets the same main thread id.
        boolean mine = owner == token;
        if (!mine && ProcessSlots.isCurrent(control, owner)) {
            ProcessSlots.Holder h = ProcessSlots.holder(control, owner);
            mine = h.pid() == Proc.PID && h.pidNamespace() == Proc.PID_NAMESPACE && h.startTime() == Proc.START_TIME
                    // a handle of this process closed while it held the lock is gone as a dead process is
                    && ProcessSlots.isAlive(control, fd, owner);
        }
        if (mine) throw alreadyHeld(rec, index, owner);
    }

    private LockAlreadyHeldException alreadyHeld(long rec, int index, int owner) {
        return new LockAlreadyHeldException("this thread already holds " + what(rec, index)
                + (owner == token ? "" : " (through another handle of the map)")
                + "; locks are not reentrant, so locking it again would deadlock");
    }

    private void checkWritable() {
        if (token == 0) throw new MapAccessDeniedException("map '" + mapName + "' is open read-only; it cannot take locks");
    }

    private LockTimeoutException timedOut(long rec, int index, int owner, long waitedNanos) {
        int pid = (int) INT.get(control, rec + LockRecord.PID);
        boolean alive = owner == token || ProcessSlots.isAlive(control, fd, owner);
        long since = (long) LONG.get(control, rec + LockRecord.SINCE);
        Duration held = since == 0 ? null : Duration.ofMillis(Math.max(0, System.currentTimeMillis() - since));
        String who = ProcessSlots.holder(control, owner).who(pid, alive);
        return new LockTimeoutException("timed out after " + millis(waitedNanos) + " waiting for " + what(rec, index)
                + ": held by " + who + (held == null ? "" : " for at least " + millis(held.toNanos())),
                pid, alive, held);
    }

    public static String millis(long nanos) {
        return String.format("%.1f s", nanos / 1e9);
    }

    private String what(long rec, int index) {
        return lockName(rec, index) + " of map '" + mapName + "'";
    }

    /** The lock of {@code rec} as messages name it: "the lock of entry 3 (stripe 1)", "the map-wide lock". */
    public String lockName(long rec, int index) {
        if (rec == MAP_RECORD) return "the map-wide lock";
        int stripe = stripeOfRecord(rec);
        if (index < 0) return "the lock of stripe " + stripe;
        return "the lock of entry " + index + (stripe == index ? "" : " (stripe " + stripe + ")");
    }

    // --------------------------------------------------------------------------------------------- inspection

    /** The held locks: the map-wide one (stripe -1) and every held stripe, plus stripes with torn entries. */
    public List<LockInfo> held() {
        List<LockInfo> out = new ArrayList<>();
        addIfHeld(out, MAP_RECORD, -1);
        for (int s = 0; s < stripes; s++) addIfHeld(out, stripeRecord(s), s);
        return out;
    }

    private void addIfHeld(List<LockInfo> out, long rec, int stripe) {
        int w = (int) INT.getVolatile(control, rec + LockRecord.WORD);
        List<Integer> torn = TornList.entries(control, rec);
        int unfinished = w == 0 ? unfinishedWrite(rec) : 0;
        if (unfinished != 0 && !torn.equals(List.of(-1))) {
            // a write left unfinished under a free lock: its entry is torn as surely as a marked one
            torn = new ArrayList<>(torn);
            if (unfinished == UNKNOWN_ENTRY) torn = List.of(-1);
            else if (!torn.contains(unfinished - 1)) torn.add(unfinished - 1);
        }
        if (w == 0 && torn.isEmpty()) return;
        int owner = w & LockRecord.TOKEN_MASK;
        boolean alive = w != 0 && (owner == token || ProcessSlots.isAlive(control, fd, owner));
        long since = (long) LONG.get(control, rec + LockRecord.SINCE);
        boolean sameNs = w == 0 || ProcessSlots.holder(control, owner).sameNamespace();
        out.add(new LockInfo(stripe, w == 0 ? 0 : (int) INT.get(control, rec + LockRecord.PID), alive, sameNs,
                (long) LONG.get(control, rec + LockRecord.THREAD),
                since == 0 || w == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(since)),
                (int) INT.get(control, rec + LockRecord.RECOVERED) == 1, torn));
    }

}
