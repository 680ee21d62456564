package dev.mapsync;

/**
 * An entry was being written when its writer died, so its bytes may be half old and half new: thrown by
 * {@link SharedArray#get} of that entry. Reading it is refused until a lock owner writes it again; the next owner of
 * its lock sees {@link LockGuard#previousOwnerDied()}. Thread-safe, as every {@link MapSyncException}.
 */
public class TornEntryException extends MapSyncException {
    /**
     * Makes one with the message it shows.
     *
     * @param message what failed, naming the map
     */
    public TornEntryException(String message) {
        super(message);
    }
}
