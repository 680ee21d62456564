package dev.mapsync;

/**
 * A wait ran out of time: for room in a full ring ({@link SharedRing#put}, {@link SharedQueue#put}), for the
 * other parties of a barrier ({@link SharedBarrier#await}, which then breaks the barrier for the others), or for a
 * lock ({@link LockTimeoutException}). Nothing was written.
 */
public class WaitTimeoutException extends MapSyncException {
    public WaitTimeoutException(String message) {
        super(message);
    }
}
