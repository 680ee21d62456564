package dev.mapsync.internal.seq;

import dev.mapsync.CorruptMapException;
import dev.mapsync.internal.sys.Words;
import dev.mapsync.internal.hooks.TestHooks;
import dev.mapsync.internal.lock.EntryLocks;
import dev.mapsync.internal.lock.LockRecord;
import dev.mapsync.internal.lock.ProcessSlots;
import dev.mapsync.internal.lock.TornList;
import dev.mapsync.LockTimeoutException;
import dev.mapsync.TornEntryException;
import dev.mapsync.internal.codec.FlatRecordAccess;
import dev.mapsync.internal.events.TornEntryRepairedEvent;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

import static dev.mapsync.internal.sys.Words.INT;

/**
 * Reads that are never torn, through the sequence word of each stripe's lock record (see {@link LockRecord}).
 *
 * <p>A writer, holding the stripe's lock ({@link EntryLocks}), notes which entry it writes, makes the stripe's
 * sequence odd, writes, and makes it even. A reader copies the value between two reads of the sequence and retries
 * if it was odd or changed; it never blocks a writer. If the writer died mid-write, the entry it was writing is
 * reported torn ({@link TornEntryException}) until someone writes it again ({@link TornList}); the stripe's other
 * entries read normally. A reader behind a live writer that does not finish gives up at the lock timeout.
 */
public final class SeqLocks {
    private static final int READ_SPINS = 200;

    private final MemorySegment control;
    private final EntryLocks locks;
    private final int token;
    private final int fd;
    private final String mapName;
    private final long timeoutNanos;

    /**
     * @param locks the handle's locks, whose records hold the sequence words
     */
    public SeqLocks(MemorySegment control, EntryLocks locks, int fd, String mapName) {
        this.control = control;
        this.locks = locks;
        this.token = locks.token();
        this.fd = fd;
        this.mapName = mapName;
        this.timeoutNanos = locks.timeoutNanos();
    }

    /**
     * Starts a write of entry {@code index}; the caller holds the lock of {@code rec}.
     *
     * @throws CorruptMapException if the sequence word is odd: only the lock's holder makes it odd, and it left it even
     *                             (a window opened on an odd word would be even, so readers would read through it)
     */
    public void beginWrite(long rec, int index) {
        int s = (int) INT.get(control, rec + LockRecord.SEQ);
        if ((s & 1) != 0) {
            throw new CorruptMapException("map '" + mapName + "' is corrupt: the sequence word of "
                    + locks.lockName(rec, index) + " is odd (" + s + ") while this handle holds the lock and writes"
                    + " nothing");
        }
        // the odd sequence and the entry being written, in one store: no reader sees the one without the other
        Words.LONG.setRelease(control, rec + LockRecord.SEQ, (long) (index + 1) << 32 | Integer.toUnsignedLong(s + 1));
        VarHandle.storeStoreFence(); // no store of the value moves above the odd sequence
        if (TestHooks.ENABLED) TestHooks.midWrite(index);
    }

    /** Ends the write that {@link #beginWrite} started; the entry is no longer torn, if it was. */
    public void endWrite(long rec, int index) {
        if ((int) INT.get(control, rec + LockRecord.TORN) != 0) {
            endWriteInTornStripe(rec, index);
            return;
        }
        LockRecord.endWindow(control, rec, (int) INT.get(control, rec + LockRecord.SEQ) + 1);
    }

    /** {@link #endWrite} in a stripe that holds a torn entry, which may be this one: it is whole now. */
    private void endWriteInTornStripe(long rec, int index) {
        // inside the odd window, so that a reader never sees the torn list half-changed
        boolean repaired = TornList.remove(control, rec, index);
        LockRecord.endWindow(control, rec, (int) INT.get(control, rec + LockRecord.SEQ) + 1);
        if (repaired) {
            TornEntryRepairedEvent.emit(mapName, index, locks.stripeOf(index), TornEntryRepairedEvent.REWRITTEN);
        }
    }

    /**
     * Ends a write that {@link #beginWrite} started but that stored nothing: the entry keeps its value, and its torn
     * mark if it had one.
     */
    public void cancelWrite(long rec) {
        LockRecord.endWindow(control, rec, (int) INT.get(control, rec + LockRecord.SEQ) + 1);
    }

    /**
     * Clears every torn mark of the stripe of {@code rec}, whose lock the caller holds: it has rewritten (or checked)
     * the stripe's entries. Needed only when more than four entries of one stripe were left torn, which marks the
     * whole stripe.
     */
    public void declareRepaired(long rec) {
        int s = (int) INT.get(control, rec + LockRecord.SEQ);
        boolean wasTorn = (int) INT.get(control, rec + LockRecord.TORN) != 0;
        INT.setRelease(control, rec + LockRecord.SEQ, s + 1);
        TornList.clear(control, rec);
        LockRecord.endWindow(control, rec, s + 2);
        if (wasTorn) {
            TornEntryRepairedEvent.emit(mapName, -1, locks.stripeOfRecord(rec), TornEntryRepairedEvent.DECLARED);
        }
    }

    /** What {@link #beginOptimisticRead} returns when the stripe is being written or holds a torn entry. */
    private static final long BUSY = -1;

    /**
     * The stripe's sequence, to read an entry in place and check it after; or {@link #BUSY}: a write is in progress
     * or an entry of the stripe is torn, so use {@link #readConsistent}.
     */
    private long beginOptimisticRead(long rec) {
        // the sequence and the writing word in one load: an odd sequence, or a writing word that is not zero (a write
        // beginning, or a torn entry in the stripe), sends the reader the slow way
        long word = (long) Words.LONG.getAcquire(control, rec + LockRecord.SEQ);
        if ((word & 0xFFFF_FFFF_0000_0001L) != 0) return BUSY;
        return word;
    }

    /**
     * Reads a record in place with its compiled access, under the sequence of {@code rec}: the record is made only
     * from fields no write overlapped.
     *
     * @return the record, or null when a write was in progress or overlapped the reads, or the stripe holds a torn
     *         entry: use {@link #readConsistent}
     */
    public Object readRecord(long rec, FlatRecordAccess access, MemorySegment data, long offset) {
        long s = beginOptimisticRead(rec);
        return s == BUSY ? null : access.readIfUnchanged(data, offset, control, rec + LockRecord.SEQ, (int) s);
    }

    /**
     * Copies {@code size} bytes of entry {@code index} at {@code offset} of {@code data} into {@code into}, as no
     * write left them: retries while a write is in progress, and never blocks a writer.
     *
     * @throws TornEntryException   if a writer died while writing this entry and no one rewrote it
     * @throws LockTimeoutException if a live writer kept the entry in the middle of a write beyond the timeout, or
     *                              the stripe's sequence changed under every attempt for that long
     */
    public void readConsistent(long rec, int index, MemorySegment data, long offset, MemorySegment into, long size) {
        long start = 0;
        long lastLivenessCheck = 0;
        for (int attempt = 0; ; attempt++) {
            int s1 = (int) INT.getAcquire(control, rec + LockRecord.SEQ);
            if ((s1 & 1) == 0) {
                if ((int) INT.get(control, rec + LockRecord.TORN) != 0 && TornList.contains(control, rec, index)) {
                    throw torn(index, 0, TornList.wholeStripe(control, rec));
                }
                MemorySegment.copy(data, offset, into, 0, size);
                if (TestHooks.ENABLED && TestHooks.spoilRead()) INT.getAndAdd(control, rec + LockRecord.SEQ, 2);
                VarHandle.loadLoadFence();
                if ((int) INT.get(control, rec + LockRecord.SEQ) == s1) return;
                if (attempt >= READ_SPINS) {
                    // writers let a reader in between their windows; one that finds the word changed under every
                    // attempt for its whole timeout (writers back to back on one stripe, or a peer that keeps
                    // writing the word) gives up then, as it does for a write that stays in progress
                    long now = System.nanoTime();
                    if (start == 0) start = now;
                    else if (now - start - timeoutNanos >= 0) {
                        throw new LockTimeoutException("timed out after " + EntryLocks.millis(now - start)
                                + " reading entry " + index + " of map '" + mapName + "': its stripe's sequence changed"
                                + " under every attempt (a writer, or a peer that keeps writing the word)", 0, false, null);
                    }
                }
            } else if (attempt >= READ_SPINS) {
                long now = System.nanoTime();
                if (start == 0) start = now;
                if (now - lastLivenessCheck >= EntryLocks.SLICE_NANOS / 4) {
                    lastLivenessCheck = now;
                    int w = (int) INT.getVolatile(control, rec + LockRecord.WORD);
                    int owner = w & LockRecord.TOKEN_MASK;
                    // a writer holds the lock for its whole window: an odd sequence under a free lock (read between
                    // two equal reads of the sequence) or under a dead owner is a write that will never end
                    boolean deadWrite = w == 0 ? (int) INT.getVolatile(control, rec + LockRecord.SEQ) == s1
                            : owner != token && !ProcessSlots.isAlive(control, fd, owner);
                    if (deadWrite) {
                        int writing = (int) INT.getAcquire(control, rec + LockRecord.WRITING);
                        int writerPid = w == 0 ? 0 : (int) INT.get(control, rec + LockRecord.PID);
                        // only the entry it was writing is torn; a writing word that names no entry of the stripe
                        // (a peer wrote it) leaves every entry of the stripe in doubt
                        if (!locks.guards(rec, writing - 1)) throw torn(index, writerPid, true);
                        if (writing == index + 1) throw torn(index, writerPid, false);
                        MemorySegment.copy(data, offset, into, 0, size);
                        VarHandle.loadLoadFence();
                        if ((int) INT.get(control, rec + LockRecord.SEQ) == s1
                                && (int) INT.get(control, rec + LockRecord.WRITING) == writing) return;
                    } else if (now - start - timeoutNanos >= 0) {
                        int pid = (int) INT.get(control, rec + LockRecord.PID);
                        throw new LockTimeoutException("timed out after " + EntryLocks.millis(now - start) + " reading entry "
                                + index + " of map '" + mapName + "': a write by pid " + pid + " (alive) has been in"
                                + " progress all that time", pid, true, null);
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




    private TornEntryException torn(int index, int writerPid, boolean wholeStripe) {
        String cure = wholeStripe
                ? "which entries of its stripe such writes left half-written is not known (more than four, or a"
                + " writing word naming none), which marks the whole stripe; a lock owner that has rewritten them"
                + " calls declareRepaired()"
                : "it cannot be read until a lock owner writes it again (the next lock of the entry reports"
                + " previousOwnerDied())";
        return new TornEntryException("entry " + index + " of map '" + mapName + "' was being written when its writer"
                + (writerPid == 0 ? "" : " (pid " + writerPid + ")") + " died, so it may be half-written; " + cure);
    }
}
