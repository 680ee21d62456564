package dev.mapsync;

/**
 * The calling thread already holds the lock it asked for (directly, or through another handle of the same map). Locks
 * are not reentrant: re-locking would deadlock, so it is refused. Thrown by the {@code lock} methods, and by a
 * {@link SharedHashMap#compute} function that uses its own map. Thread-safe, as every {@link MapSyncException}.
 */
public class LockAlreadyHeldException extends MapSyncException {
    /**
     * Makes one with the message it shows.
     *
     * @param message what failed, naming the map
     */
    public LockAlreadyHeldException(String message) {
        super(message);
    }
}
