package dev.mapsync;

/**
 * A new key did not fit: the map holds as many entries as it was created for (or, for a kernel hash map, the kernel
 * refused the insert). Thrown by the {@link SharedHashMap} operations that insert a key. Nothing was changed; remove
 * keys, or create the map with a larger capacity. Thread-safe, as every {@link MapSyncException}.
 */
public class MapFullException extends MapSyncException {
    /**
     * Makes one with the message it shows.
     *
     * @param message what failed, naming the map
     */
    public MapFullException(String message) {
        super(message);
    }

    /**
     * Makes one with the message it shows and the failure behind it.
     *
     * @param message what failed, naming the map
     * @param cause   the failure behind it
     */
    public MapFullException(String message, Throwable cause) {
        super(message, cause);
    }
}
