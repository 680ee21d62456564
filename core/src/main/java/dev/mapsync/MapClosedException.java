package dev.mapsync;

/** The handle was used after it was closed. */
public class MapClosedException extends MapSyncException {
    public MapClosedException(String message) {
        super(message);
    }

    public MapClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
