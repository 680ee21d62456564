package dev.mapsync;

/** An entry was being written when its writer died, so its bytes may be half old and half new. Reading it is refused until a lock owner writes it again; the next owner of its lock sees {@link LockGuard#previousOwnerDied()}. */
public class TornEntryException extends MapSyncException {
    public TornEntryException(String message) {
        super(message);
    }
}
