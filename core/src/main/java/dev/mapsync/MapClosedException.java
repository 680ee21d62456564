package dev.mapsync;

/**
 * A handle (or a cursor, consumer or other object that uses one) was used after it was closed: thrown by every
 * operation on it then, from any thread. Thread-safe, as every {@link MapSyncException}.
 */
public class MapClosedException extends MapSyncException {
    /**
     * Makes one with the message it shows.
     *
     * @param message what failed, naming the map
     */
    public MapClosedException(String message) {
        super(message);
    }

    /**
     * Makes one with the message it shows and the failure behind it.
     *
     * @param message what failed, naming the map
     * @param cause   the failure behind it
     */
    public MapClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
