package dev.mapsync.internal.lock;

import dev.mapsync.LockGuard;
import dev.mapsync.internal.store.AccessFailures;

import java.lang.ref.Reference;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The guard of one or more held lock records, released in the reverse order of taking. Closing releases them once,
 * whichever threads close it and however many at once: a second release would free the lock another owner holds by
 * then. The guard keeps its map handle reachable, so that a handle never closed is not cleaned up (and its locks
 * given up) while a guard of it is still held.
 */
public final class HeldLocks implements LockGuard {
    private final Object handle;
    private final EntryLocks locks;
    private final long[] records;
    private final boolean previousOwnerDied;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** @param handle the map handle the locks were taken through, kept reachable while the guard is */
    public HeldLocks(Object handle, EntryLocks locks, long[] records, boolean previousOwnerDied) {
        this.handle = handle;
        this.locks = locks;
        this.records = records;
        this.previousOwnerDied = previousOwnerDied;
    }

    @Override
    public boolean previousOwnerDied() {
        return previousOwnerDied;
    }

    @Override
    public void close() {
        if (closed.get()) return;
        // a write that runs under this guard finishes first (refused from inside it: the guard stays held)
        for (int i = records.length - 1; i >= 0; i--) locks.awaitNoOperationUnder(records[i]);
        if (!closed.compareAndSet(false, true)) return;
        try {
            for (int i = records.length - 1; i >= 0; i--) locks.release(records[i]);
        } catch (IllegalStateException mapClosed) {
            // the handle was closed first: its locks went with it, and the next owner is told it died
        } catch (InternalError e) {
            throw AccessFailures.of("map '" + locks.mapName() + "'", false, e);
        } finally {
            Reference.reachabilityFence(handle);
        }
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
