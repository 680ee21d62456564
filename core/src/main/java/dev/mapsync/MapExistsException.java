package dev.mapsync;

/**
 * A map was to be created ({@code create}), but one of that name already exists. Nothing was changed: open it, or
 * delete it first. Thread-safe, as every {@link MapSyncException}.
 */
public class MapExistsException extends MapSyncException {
    /**
     * Makes one with the message it shows.
     *
     * @param message what failed, naming the map
     */
    public MapExistsException(String message) {
        super(message);
    }

    /**
     * Makes one with the message it shows and the failure behind it.
     *
     * @param message what failed, naming the map
     * @param cause   the failure behind it
     */
    public MapExistsException(String message, Throwable cause) {
        super(message, cause);
    }
}
