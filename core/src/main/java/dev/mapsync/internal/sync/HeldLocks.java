package dev.mapsync.internal.sync;

import dev.mapsync.LockGuard;
import dev.mapsync.internal.AccessFailures;


/** The guard of one or more held lock records, released in the reverse order of taking. */
public final class HeldLocks implements LockGuard {
    private final EntryLocks locks;
    private final long[] records;
    private final boolean previousOwnerDied;
    /** Closing is idempotent for the thread that closes (a guard handed to another thread is handed with happens-before). */
    private boolean closed;

    public HeldLocks(EntryLocks locks, long[] records, boolean previousOwnerDied) {
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
        if (closed) return;
        closed = true;
        try {
            for (int i = records.length - 1; i >= 0; i--) locks.release(records[i]);
        } catch (IllegalStateException mapClosed) {
            // the handle was closed first: its locks went with it, and the next owner is told it died
        } catch (InternalError e) {
            throw AccessFailures.of("map '" + locks.mapName() + "'", false, e);
        }
    }

    /** Takes the records in the given (ascending) order with one deadline, releasing them all if one times out. */
    public static HeldLocks acquireAll(EntryLocks locks, long[] records, int[] indexes, long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        boolean died = false;
        int taken = 0;
        try {
            for (; taken < records.length; taken++) {
                died |= locks.acquire(records[taken], indexes[taken], Math.max(0, deadline - System.nanoTime()));
            }
            return new HeldLocks(locks, records, died);
        } finally {
            if (taken < records.length) {
                for (int i = taken - 1; i >= 0; i--) locks.release(records[i]);
            }
        }
    }
}
