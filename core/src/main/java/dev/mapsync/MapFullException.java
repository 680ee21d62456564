package dev.mapsync;

/**
 * A new key did not fit: the map holds as many entries as it was created for (or, for a kernel hash map, the kernel
 * refused the insert). Nothing was changed; remove keys, or create the map with a larger capacity.
 */
public class MapFullException extends MapSyncException {
    public MapFullException(String message) {
        super(message);
    }

    public MapFullException(String message, Throwable cause) {
        super(message, cause);
    }
}
