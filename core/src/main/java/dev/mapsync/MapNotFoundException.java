package dev.mapsync;

/** No map has the given name or path (or no pin exists at the path). */
public class MapNotFoundException extends MapSyncException {
    public MapNotFoundException(String message) {
        super(message);
    }

    public MapNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
