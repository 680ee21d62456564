package dev.mapsync;

/**
 * A held lock (of one entry, several entries, or the whole map). Closing it releases the lock; closing it again
 * does nothing.
 *
 * <p><b>Threads.</b> A lock belongs to the map handle that took it, not to a thread: any thread of the owning
 * process that has the guard may close it, so a guard can be handed to another thread, and virtual threads may lock
 * and unlock freely. A guard is safe to share: closing it releases the lock once, however many threads close it,
 * at once or one after another. Re-locking a lock the calling thread already holds throws
 * {@link LockAlreadyHeldException} instead of deadlocking. A guard keeps its map handle from being cleaned up while
 * it is held. If the handle is closed, or its process dies, while a lock is held, the next process to ask for
 * the lock takes it over and is told so by {@link #previousOwnerDied()}; closing the guard afterwards does nothing.
 */
public interface LockGuard extends AutoCloseable {
    /**
     * Whether the lock was taken over from an owner that died (or closed its handle) while holding it. The data the
     * lock guards may then be half-updated: repair it before releasing. An entry whose write was cut short by the
     * death stays unreadable ({@link TornEntryException}) until it is written again.
     *
     * @return true when the previous owner died holding the lock
     */
    boolean previousOwnerDied();

    /**
     * Releases the lock, once a write that runs under it in another thread has finished. Idempotent: a close while
     * another thread's close of the same guard is under way waits for it, so that the lock is free when either
     * returns, and a close after that does nothing. After the handle was closed it does nothing, since the lock went
     * with the handle.
     *
     * @throws CorruptMapException if the map's memory vanished under the handle
     */
    @Override
    void close();
}
