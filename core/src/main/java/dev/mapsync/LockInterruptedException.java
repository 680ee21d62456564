package dev.mapsync;

/**
 * The thread was interrupted while it waited for a lock. Its interrupt status is set again, and it holds no lock it
 * was waiting for. Thread-safe, as every {@link MapSyncException}.
 */
public class LockInterruptedException extends WaitInterruptedException {
    /**
     * Makes one with the message it shows.
     *
     * @param message what failed, naming the map
     */
    public LockInterruptedException(String message) {
        super(message);
    }
}
