package dev.mapsync;

/**
 * No map has the given name or path (or no pin exists at the path): thrown by the opening, describing and deleting of
 * maps. Thread-safe, as every {@link MapSyncException}.
 */
public class MapNotFoundException extends MapSyncException {
    /**
     * Makes one with the message it shows.
     *
     * @param message what failed, naming the map
     */
    public MapNotFoundException(String message) {
        super(message);
    }

    /**
     * Makes one with the message it shows and the failure behind it.
     *
     * @param message what failed, naming the map
     * @param cause   the failure behind it
     */
    public MapNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
