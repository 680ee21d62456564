package dev.mapsync;

/**
 * The file is not a mapsync map, is truncated, has a layout version this library does not read, or was never finished
 * by its creator; or a word of an open map holds what no process following docs/FORMAT.md writes there; or the map's
 * memory vanished under an open handle (its file was truncated). Thrown by opening and by any operation that reads
 * such a word. Nothing was changed; the message names the map and the word. Thread-safe, as every {@link MapSyncException}.
 */
public class CorruptMapException extends MapSyncException {
    /**
     * Makes one with the message it shows.
     *
     * @param message what failed, naming the map
     */
    public CorruptMapException(String message) {
        super(message);
    }

    /**
     * Makes one with the message it shows and the failure behind it.
     *
     * @param message what failed, naming the map
     * @param cause   the failure behind it
     */
    public CorruptMapException(String message, Throwable cause) {
        super(message, cause);
    }
}
