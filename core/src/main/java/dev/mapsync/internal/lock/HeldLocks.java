package dev.mapsync.internal.lock;

import dev.mapsync.LockGuard;
import dev.mapsync.internal.store.AccessFailures;

import java.lang.ref.Reference;

/**
 * The guard of one or more held lock records, released in the reverse order of taking. Closing releases them once,
 * whichever threads close it and however many at once: a second release would free the lock another owner holds by
 * then. The guard keeps its map handle reachable, so that a handle never closed is not cleaned up (and its locks
 * given up) while a guard of it is still held. It is made by the thread that took its locks.
 */
public final class HeldLocks implements LockGuard {
    private final Object handle;
    private final EntryLocks locks;
    /** The one record of a guard of one lock (the common case, which allocates nothing more), else -1. */
    private final long record;
    /** The records of a guard of several, in the order taken; null for one. */
    private final long[] records;
    private final boolean previousOwnerDied;
    /** The thread that took the locks: it alone writes under them, and its own close waits for nothing. */
    private final long lockingThread = Thread.currentThread().threadId();
    /**
     * The monitor a close takes, not the guard's own: code that holds a guard's monitor must not keep it from being
     * closed. A monitor rather than a compare-and-set: the JIT removes the monitor of an object that does not leave
     * the caller's compiled code, and with it the object and the guard (a compare-and-set of a field keeps the guard
     * on the heap).
     */
    private final Object closing = new Object();
    /** Set under {@link #closing} by the one close that releases, until it is done or refused. */
    private boolean claimed;
    /** Set under {@link #closing} once that close has released the locks (or found them gone); a hint without it. */
    private boolean released;
    /** Late closes waiting under {@link #closing} for {@link #released}: only they need a notification. */
    private int lateCloses;

    /** @param handle the map handle the locks were taken through, kept reachable while the guard is */
    public HeldLocks(Object handle, EntryLocks locks, long[] records, boolean previousOwnerDied) {
        this.handle = handle;
        this.locks = locks;
        this.record = -1;
        this.records = records;
        this.previousOwnerDied = previousOwnerDied;
    }

    /** The guard of the one lock of {@code record}. */
    public HeldLocks(Object handle, EntryLocks locks, long record, boolean previousOwnerDied) {
        this.handle = handle;
        this.locks = locks;
        this.record = record;
        this.records = null;
        this.previousOwnerDied = previousOwnerDied;
    }

    @Override
    public boolean previousOwnerDied() {
        return previousOwnerDied;
    }

    @Override
    public void close() {
        if (released) return;
        // one close goes on, before it touches the records: a late one must not clear the owner of a later lock, and
        // returns once the locks are free, as the one that goes on does
        synchronized (closing) {
            if (claimed && !awaitRelease()) return;
            claimed = true;
        }
        // a write that runs under this guard finishes first (refused from inside it: the guard stays held)
        try {
            if (records == null) locks.awaitNoOperationUnder(record, lockingThread);
            else for (int i = records.length - 1; i >= 0; i--) locks.awaitNoOperationUnder(records[i], lockingThread);
        } catch (IllegalStateException | InternalError e) {
            if (!locks.isOpen() || e instanceof InternalError) {
                ended(true);
                releaseFailed(locks, e);
                return;
            }
            ended(false);
            throw e;
        }
        try {
            if (records == null) locks.release(record);
            else for (int i = records.length - 1; i >= 0; i--) locks.release(records[i]);
        } catch (IllegalStateException | InternalError e) {
            releaseFailed(locks, e);
        } finally {
            ended(true);
            Reference.reachabilityFence(handle);
        }
    }

    /**
     * Ends the close that went on: the locks are released (or went with the handle), or the close was refused and
     * another may go on. Wakes the late closes only if there are any: a guard whose monitor is notified stays on the
     * heap.
     */
    private void ended(boolean done) {
        synchronized (closing) {
            if (done) released = true;
            else claimed = false;
            if (lateCloses != 0) closing.notifyAll();
        }
    }

    /**
     * A late close, under {@link #closing}: waits while another close goes on. True if that close was refused, so
     * that this one goes on instead; an interrupt is kept for the caller and does not cut the wait short, since a
     * close that returned must have released the locks.
     *
     * @throws IllegalStateException if the locking thread closes from inside an operation under the guard, which the
     *                               other close waits for
     */
    private boolean awaitRelease() {
        if (lockingThread == Thread.currentThread().threadId()) {
            if (records == null) locks.refuseCloseInsideOperation(record);
            else for (long r : records) locks.refuseCloseInsideOperation(r);
        }
        boolean interrupted = false;
        lateCloses++;
        try {
            while (claimed && !released) {
                try {
                    closing.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            lateCloses--;
            if (interrupted) Thread.currentThread().interrupt();
        }
        return !released;
    }

    /**
     * Out of line, so that a close stays small enough for the JIT to inline into the caller; static, so that the guard
     * does not leave the caller's compiled code through it.
     */
    private static void releaseFailed(EntryLocks locks, Throwable e) {
        // IllegalStateException: the handle was closed first; its locks went with it, and the next owner is told
        // it died
        if (e instanceof InternalError) throw AccessFailures.of("map '" + locks.mapName() + "'", false, e);
    }

    /** Takes the records in the given (ascending) order with one deadline, releasing them all if one times out. */
    public static HeldLocks acquireAll(Object handle, EntryLocks locks, long[] records, int[] indexes,
                                       long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        boolean died = false;
        int taken = 0;
        try {
            for (; taken < records.length; taken++) {
                died |= locks.acquire(records[taken], indexes[taken], Math.max(0, deadline - System.nanoTime()));
            }
            return new HeldLocks(handle, locks, records, died);
        } finally {
            if (taken < records.length) {
                for (int i = taken - 1; i >= 0; i--) locks.release(records[i]);
            }
        }
    }
}
