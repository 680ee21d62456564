package dev.mapsync;

/**
 * A wait ran out of time: for room in a full ring ({@link SharedRing#put}, {@link SharedQueue#put}), or for the
 * other parties of a barrier ({@link SharedBarrier#await}, which then breaks the barrier for the others). Nothing
 * was written.
 */
public class WaitTimeoutException extends MapSyncException {
    public WaitTimeoutException(String message) {
        super(message);
    }
}
