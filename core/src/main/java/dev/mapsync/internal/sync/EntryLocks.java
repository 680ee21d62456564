package dev.mapsync.internal.sync;

import dev.mapsync.LockAlreadyHeldException;
import dev.mapsync.LockInfo;
import dev.mapsync.LockInterruptedException;
import dev.mapsync.LockTimeoutException;
import dev.mapsync.MapAccessDeniedException;
import dev.mapsync.TornEntryException;
import dev.mapsync.internal.layout.ControlLayout;
import dev.mapsync.internal.layout.Header;
import dev.mapsync.internal.linux.Futex;
import dev.mapsync.internal.linux.Proc;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

import static dev.mapsync.internal.sync.LockRecord.INT;
import static dev.mapsync.internal.sync.LockRecord.LONG;

/**
 * The robust cross-process locks and sequence words of one map handle (see {@link LockRecord}).
 *
 * <p><b>Locking.</b> Uncontended, a lock is one compare-and-set of the lock word from 0 to the handle's token and
 * an unlock one atomic exchange back to 0: no system call. A waiter spins briefly, then marks the word as having
 * sleepers and sleeps in {@code FUTEX_WAIT} on it, in slices of {@value #SLICE_MILLIS} ms; after each slice it
 * asks the kernel whether the owner's handle is still open ({@link ProcessSlots}). If it is not, the waiter takes
 * the lock over with a compare-and-set and reports that the previous owner died. An unlock calls
 * {@code FUTEX_WAKE} only if the word says someone sleeps. Virtual threads never block their carrier in
 * {@code FUTEX_WAIT}: they park for short, growing intervals instead.
 *
 * <p><b>Consistent reads.</b> A writer, holding the stripe's lock, notes which entry it writes, makes the
 * stripe's sequence odd, writes, and makes it even. A reader copies the value between two reads of the sequence
 * and retries if it was odd or changed; it never blocks a writer. If the writer died mid-write, the entry it was
 * writing is reported torn ({@link TornEntryException}) until someone writes it again; the stripe's other entries
 * read normally.
 */
public final class EntryLocks {
    static final long SLICE_MILLIS = 20;
    private static final long SLICE_NANOS = SLICE_MILLIS * 1_000_000;
    private static final int SPINS = 100;
    private static final int READ_SPINS = 200;
    private static final long RECORD_SIZE = ControlLayout.LOCK_RECORD_SIZE;

    /** The record of the map-wide lock. */
    public static final long MAP_RECORD = ControlLayout.MAP_LOCK;

    private final MemorySegment control;
    private final long controlAddress;
    private final int stripes;
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

    /** The default lock timeout of this handle. */
    public long timeoutNanos() {
        return timeoutNanos;
    }

    public int stripes() {
        return stripes;
    }

    /** The stripe that guards entry {@code index} (which must be in range). */
    public int stripeOf(int index) {
        return index % stripes;
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
        checkWritable();
        int me = token;
        if (INT.compareAndSet(control, rec + LockRecord.WORD, 0, me)) {
            stampOwner(rec);
            return false;
        }
        checkReentry(rec, index);
        for (int i = 0; i < SPINS; i++) {
            Thread.onSpinWait();
            if ((int) INT.getOpaque(control, rec + LockRecord.WORD) == 0
                    && INT.compareAndSet(control, rec + LockRecord.WORD, 0, me)) {
                stampOwner(rec);
                return false;
            }
        }
        return acquireSlow(rec, index, timeoutNanos);
    }

    private boolean acquireSlow(long rec, int index, long timeout) {
        int me = token;
        long start = System.nanoTime();
        long deadline = start + timeout;
        boolean virtual = Thread.currentThread().isVirtual();
        long park = 50_000;
        int sleepers = 0; // once we have slept, others may sleep too: keep the waiters bit when we take the lock
        while (true) {
            int w = (int) INT.getVolatile(control, rec + LockRecord.WORD);
            if (w == 0) {
                if (INT.compareAndSet(control, rec + LockRecord.WORD, 0, me | sleepers)) {
                    stampOwner(rec);
                    LONG.set(control, rec + LockRecord.SINCE, System.currentTimeMillis());
                    return false;
                }
                continue;
            }
            int owner = w & LockRecord.TOKEN_MASK;
            if (owner != me && !ProcessSlots.isAlive(control, fd, owner)) {
                if (INT.compareAndSet(control, rec + LockRecord.WORD, w, me | (w & LockRecord.WAITERS))) {
                    takeOver(rec);
                    stampOwner(rec);
                    LONG.set(control, rec + LockRecord.SINCE, System.currentTimeMillis());
                    return true;
                }
                continue;
            }
            LONG.compareAndSet(control, rec + LockRecord.SINCE, 0L, System.currentTimeMillis());
            long now = System.nanoTime();
            if (now - deadline >= 0) throw timedOut(rec, index, owner, now - start);
            if ((w & LockRecord.WAITERS) == 0
                    && !INT.compareAndSet(control, rec + LockRecord.WORD, w, w | LockRecord.WAITERS)) {
                continue;
            }
            sleepers = LockRecord.WAITERS;
            long slice = Math.min(deadline - now, SLICE_NANOS);
            if (virtual) {
                LockSupport.parkNanos(Math.min(slice, park));
                park = Math.min(park * 2, SLICE_NANOS / 4);
            } else {
                Futex.await(controlAddress + rec + LockRecord.WORD, w | LockRecord.WAITERS, slice);
            }
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new LockInterruptedException("interrupted while waiting for " + what(rec, index));
            }
        }
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
                    return 1;
                }
                continue;
            }
            int owner = w & LockRecord.TOKEN_MASK;
            if (owner == me || ProcessSlots.isAlive(control, fd, owner)) {
                checkReentry(rec, index);
                return 0;
            }
            if (INT.compareAndSet(control, rec + LockRecord.WORD, w, me | (w & LockRecord.WAITERS))) {
                takeOver(rec);
                stampOwner(rec);
                return 2;
            }
        }
    }

    /** Releases a lock this handle holds, waking one sleeper if the word says there are any. */
    public void release(long rec) {
        LONG.set(control, rec + LockRecord.THREAD, 0L);
        LONG.set(control, rec + LockRecord.SINCE, 0L);
        INT.set(control, rec + LockRecord.PID, 0);
        INT.set(control, rec + LockRecord.RECOVERED, 0);
        int old = (int) INT.getAndSet(control, rec + LockRecord.WORD, 0);
        if ((old & LockRecord.WAITERS) != 0) Futex.wake(controlAddress + rec + LockRecord.WORD, 1);
    }

    /** True if this handle holds the lock and the calling thread took it. */
    public boolean heldByCurrentThread(long rec) {
        return ((int) INT.getVolatile(control, rec + LockRecord.WORD) & LockRecord.TOKEN_MASK) == token
                && (long) LONG.get(control, rec + LockRecord.THREAD) == Thread.currentThread().threadId();
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
            if (w == 0) throw new IllegalStateException(what(rec, index) + " is not held");
            int owner = w & LockRecord.TOKEN_MASK;
            int pid = (int) INT.get(control, rec + LockRecord.PID);
            if (owner == token || ProcessSlots.isAlive(control, fd, owner)) {
                throw new IllegalStateException("refusing to free " + what(rec, index) + ": its owner, pid " + pid
                        + ", is alive");
            }
            if (INT.compareAndSet(control, rec + LockRecord.WORD, w, token | (w & LockRecord.WAITERS))) {
                takeOver(rec);
                release(rec);
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
        int s = (int) INT.get(control, rec + LockRecord.SEQ);
        if ((s & 1) != 0) {
            int writing = (int) INT.get(control, rec + LockRecord.WRITING);
            if (writing != 0) markTorn(rec, writing);
            INT.set(control, rec + LockRecord.WRITING, 0);
            INT.setRelease(control, rec + LockRecord.SEQ, s + 1);
        }
        INT.set(control, rec + LockRecord.RECOVERED, 1);
    }

    private void checkReentry(long rec, int index) {
        int w = (int) INT.getVolatile(control, rec + LockRecord.WORD);
        long thread = (long) LONG.get(control, rec + LockRecord.THREAD);
        if (w == 0 || thread != Thread.currentThread().threadId()) return;
        int owner = w & LockRecord.TOKEN_MASK;
        boolean mine = owner == token;
        if (!mine) {
            ProcessSlots.Holder h = ProcessSlots.holder(control, owner);
            mine = h.pid() == Proc.PID && h.pidNamespace() == Proc.PID_NAMESPACE && h.startTime() == Proc.START_TIME;
        }
        if (mine) {
            throw new LockAlreadyHeldException("this thread already holds " + what(rec, index)
                    + (owner == token ? "" : " (through another handle of the map)")
                    + "; locks are not reentrant, so locking it again would deadlock");
        }
    }

    private void checkWritable() {
        if (token == 0) throw new MapAccessDeniedException("map '" + mapName + "' is open read-only; it cannot take locks");
    }

    private LockTimeoutException timedOut(long rec, int index, int owner, long waitedNanos) {
        int pid = (int) INT.get(control, rec + LockRecord.PID);
        boolean alive = owner == token || ProcessSlots.isAlive(control, fd, owner);
        ProcessSlots.Holder h = ProcessSlots.holder(control, owner);
        long since = (long) LONG.get(control, rec + LockRecord.SINCE);
        Duration held = since == 0 ? null : Duration.ofMillis(Math.max(0, System.currentTimeMillis() - since));
        String who = "pid " + pid + (h.sameNamespace() ? "" : " in another pid namespace")
                + (alive ? " (alive)" : " (dead)");
        return new LockTimeoutException("timed out after " + millis(waitedNanos) + " waiting for " + what(rec, index)
                + ": held by " + who + (held == null ? "" : " for at least " + millis(held.toNanos())),
                pid, alive, held);
    }

    private static String millis(long nanos) {
        return String.format("%.1f s", nanos / 1e9);
    }

    private String what(long rec, int index) {
        if (rec == MAP_RECORD) return "the map-wide lock of map '" + mapName + "'";
        int stripe = (int) ((rec - stripesOffset) / RECORD_SIZE);
        if (index < 0) return "the lock of stripe " + stripe + " of map '" + mapName + "'";
        return "the lock of entry " + index + (stripe == index ? "" : " (stripe " + stripe + ")")
                + " of map '" + mapName + "'";
    }

    // ----------------------------------------------------------------------------------------- consistent reads

    /** Starts a write of entry {@code index}; the caller holds the lock of {@code rec}. */
    public void beginWrite(long rec, int index) {
        INT.setOpaque(control, rec + LockRecord.WRITING, index + 1);
        int s = (int) INT.get(control, rec + LockRecord.SEQ);
        INT.setRelease(control, rec + LockRecord.SEQ, s + 1); // odd; the writing note above is visible first
        VarHandle.storeStoreFence();                          // no store of the value moves above the odd sequence
        TestHooks.midWrite(index);
    }

    /** Ends the write that {@link #beginWrite} started; the entry is no longer torn, if it was. */
    public void endWrite(long rec, int index) {
        // inside the odd window, so that a reader never sees the torn list half-changed
        if ((int) INT.get(control, rec + LockRecord.TORN) != 0) untear(rec, index);
        int s = (int) INT.get(control, rec + LockRecord.SEQ);
        INT.setRelease(control, rec + LockRecord.SEQ, s + 1); // even; the value's stores are visible first
        INT.setOpaque(control, rec + LockRecord.WRITING, 0);
    }

    /**
     * Clears every torn mark of the stripe of {@code rec}, whose lock the caller holds: it has rewritten (or checked)
     * the stripe's entries. Needed only when more than four entries of one stripe were left torn, which marks the
     * whole stripe.
     */
    public void declareRepaired(long rec) {
        int s = (int) INT.get(control, rec + LockRecord.SEQ);
        INT.setRelease(control, rec + LockRecord.SEQ, s + 1);
        for (int i = 0; i < LockRecord.TORN_SLOTS; i++) INT.set(control, rec + LockRecord.TORN + 4L * i, 0);
        INT.setRelease(control, rec + LockRecord.SEQ, s + 2);
    }

    /**
     * Copies {@code size} bytes of entry {@code index} at {@code offset} of {@code data} into {@code into}, as no
     * write left them: retries while a write is in progress, and never blocks a writer.
     *
     * @throws TornEntryException   if a writer died while writing this entry and no one rewrote it
     * @throws LockTimeoutException if a live writer kept the entry in the middle of a write beyond the timeout
     */
    public void readConsistent(long rec, int index, MemorySegment data, long offset, MemorySegment into, long size) {
        long start = 0;
        long lastLivenessCheck = 0;
        for (int attempt = 0; ; attempt++) {
            int s1 = (int) INT.getAcquire(control, rec + LockRecord.SEQ);
            if ((s1 & 1) == 0) {
                if ((int) INT.get(control, rec + LockRecord.TORN) != 0 && isTorn(rec, index)) {
                    throw torn(index, 0, (int) INT.get(control, rec + LockRecord.TORN) == LockRecord.ALL_TORN);
                }
                MemorySegment.copy(data, offset, into, 0, size);
                VarHandle.loadLoadFence();
                if ((int) INT.get(control, rec + LockRecord.SEQ) == s1) return;
            } else if (attempt >= READ_SPINS) {
                long now = System.nanoTime();
                if (start == 0) start = now;
                if (now - lastLivenessCheck >= SLICE_NANOS / 4) {
                    lastLivenessCheck = now;
                    int w = (int) INT.getVolatile(control, rec + LockRecord.WORD);
                    int owner = w & LockRecord.TOKEN_MASK;
                    if (w != 0 && owner != token && !ProcessSlots.isAlive(control, fd, owner)) {
                        // the writer died mid-write: only the entry it was writing is torn
                        int writing = (int) INT.getAcquire(control, rec + LockRecord.WRITING);
                        if (writing == index + 1) throw torn(index, (int) INT.get(control, rec + LockRecord.PID), false);
                        MemorySegment.copy(data, offset, into, 0, size);
                        VarHandle.loadLoadFence();
                        if ((int) INT.get(control, rec + LockRecord.SEQ) == s1
                                && (int) INT.get(control, rec + LockRecord.WRITING) == writing) return;
                    } else if (now - start - timeoutNanos >= 0) {
                        throw new LockTimeoutException("timed out after " + millis(now - start) + " reading entry "
                                + index + " of map '" + mapName + "': a write by pid " + INT.get(control, rec + LockRecord.PID)
                                + " (alive) has been in progress all that time", (int) INT.get(control, rec + LockRecord.PID),
                                true, null);
                    }
                }
            }
            backOff(attempt);
        }
    }

    private static void backOff(int attempt) {
        if (attempt < READ_SPINS) Thread.onSpinWait();
        else if (attempt < READ_SPINS + 50) Thread.yield();
        else LockSupport.parkNanos(Math.min(1_000_000L, 10_000L << Math.min(7, (attempt - READ_SPINS - 50) / 8)));
    }

    private boolean isTorn(long rec, int index) {
        int first = (int) INT.getAcquire(control, rec + LockRecord.TORN);
        if (first == LockRecord.ALL_TORN) return true;
        for (int i = 0; i < LockRecord.TORN_SLOTS; i++) {
            if ((int) INT.getAcquire(control, rec + LockRecord.TORN + 4L * i) == index + 1) return true;
        }
        return false;
    }

    private void markTorn(long rec, int entryPlusOne) {
        for (int i = 0; i < LockRecord.TORN_SLOTS; i++) {
            long o = rec + LockRecord.TORN + 4L * i;
            int v = (int) INT.get(control, o);
            if (v == entryPlusOne || v == LockRecord.ALL_TORN) return;
            if (v == 0) {
                INT.setRelease(control, o, entryPlusOne);
                return;
            }
        }
        // more torn entries than slots: the whole stripe counts as torn until each of its entries is written
        INT.setRelease(control, rec + LockRecord.TORN, LockRecord.ALL_TORN);
    }

    /**
     * Removes entry {@code index} from the torn list, keeping the list packed from its first slot (so that a zero
     * first slot means no entry is torn). Called inside a write's odd window.
     */
    private void untear(long rec, int index) {
        int[] kept = new int[LockRecord.TORN_SLOTS];
        int n = 0;
        for (int i = 0; i < LockRecord.TORN_SLOTS; i++) {
            int v = (int) INT.get(control, rec + LockRecord.TORN + 4L * i);
            if (v == LockRecord.ALL_TORN) return; // the whole stripe stays torn until declareRepaired
            if (v != 0 && v != index + 1) kept[n++] = v;
        }
        for (int i = 0; i < LockRecord.TORN_SLOTS; i++) INT.set(control, rec + LockRecord.TORN + 4L * i, kept[i]);
    }

    private TornEntryException torn(int index, int writerPid, boolean wholeStripe) {
        String cure = wholeStripe
                ? "more than four entries of its stripe were left so, which marks the whole stripe; a lock owner that"
                + " has rewritten them calls declareRepaired()"
                : "it cannot be read until a lock owner writes it again (the next lock of the entry reports"
                + " previousOwnerDied())";
        return new TornEntryException("entry " + index + " of map '" + mapName + "' was being written when its writer"
                + (writerPid == 0 ? "" : " (pid " + writerPid + ")") + " died, so it may be half-written; " + cure);
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
        List<Integer> torn = tornEntries(rec);
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

    private List<Integer> tornEntries(long rec) {
        List<Integer> torn = new ArrayList<>();
        for (int i = 0; i < LockRecord.TORN_SLOTS; i++) {
            int v = (int) INT.get(control, rec + LockRecord.TORN + 4L * i);
            if (v == LockRecord.ALL_TORN) return List.of(-1);
            if (v != 0) torn.add(v - 1);
        }
        return torn;
    }
}
