package dev.mapsync;

/** The calling thread already holds the lock it asked for (directly, or through another handle of the same map). Locks are not reentrant: re-locking would deadlock, so it is refused. */
public class LockAlreadyHeldException extends MapSyncException {
    public LockAlreadyHeldException(String message) {
        super(message);
    }
}
