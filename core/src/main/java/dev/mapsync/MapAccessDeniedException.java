package dev.mapsync;

/**
 * The operating system refused access to the map, mapsync refused a folder or file that another user could have
 * planted, or a write was made through a read-only handle. Thrown by the opening, creating and deleting of maps, and
 * by every write, lock and subscription through a read-only handle. Nothing was changed. The message says why and how
 * to go on. Thread-safe, as every {@link MapSyncException}.
 */
public class MapAccessDeniedException extends MapSyncException {
    /**
     * Makes one with the message it shows.
     *
     * @param message what failed, naming the map
     */
    public MapAccessDeniedException(String message) {
        super(message);
    }

    /**
     * Makes one with the message it shows and the failure behind it.
     *
     * @param message what failed, naming the map
     * @param cause   the failure behind it
     */
    public MapAccessDeniedException(String message, Throwable cause) {
        super(message, cause);
    }
}
