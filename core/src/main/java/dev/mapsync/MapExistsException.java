package dev.mapsync;

/** A map was to be created, but one of that name already exists. */
public class MapExistsException extends MapSyncException {
    public MapExistsException(String message) {
        super(message);
    }

    public MapExistsException(String message, Throwable cause) {
        super(message, cause);
    }
}
