package dev.mapsync;

/**
 * A wait ran out of time: for room in a full ring ({@link SharedRing#put}, {@link SharedQueue#put}), for the
 * other parties of a barrier ({@link SharedBarrier#await}, which then breaks the barrier for the others), or for a
 * lock ({@link LockTimeoutException}). Nothing was written. Thread-safe, as every {@link MapSyncException}.
 */
public class WaitTimeoutException extends MapSyncException {
    /**
     * Makes one with the message it shows.
     *
     * @param message what failed, naming the map
     */
    public WaitTimeoutException(String message) {
        super(message);
    }
}
