package dev.mapsync;

/**
 * An index outside {@code 0 .. length-1}, given to a {@link SharedArray} or its {@link LongSlots} and
 * {@link IntSlots}. Nothing was read or written. Thread-safe, as every {@link MapSyncException}.
 */
public class IndexOutOfRangeException extends MapSyncException {
    /**
     * Makes one with the message it shows.
     *
     * @param message what failed, naming the map
     */
    public IndexOutOfRangeException(String message) {
        super(message);
    }

    /**
     * Makes one with the message it shows and the failure behind it.
     *
     * @param message what failed, naming the map
     * @param cause   the failure behind it
     */
    public IndexOutOfRangeException(String message, Throwable cause) {
        super(message, cause);
    }
}
