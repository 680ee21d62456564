package dev.mapsync;

/** The operating system refused access to the map, or a write was made through a read-only handle. */
public class MapAccessDeniedException extends MapSyncException {
    public MapAccessDeniedException(String message) {
        super(message);
    }

    public MapAccessDeniedException(String message, Throwable cause) {
        super(message, cause);
    }
}
