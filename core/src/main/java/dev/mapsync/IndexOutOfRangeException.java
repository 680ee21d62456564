package dev.mapsync;

/** An index outside {@code 0 .. length-1}. Nothing was read or written. */
public class IndexOutOfRangeException extends MapSyncException {
    public IndexOutOfRangeException(String message) {
        super(message);
    }

    public IndexOutOfRangeException(String message, Throwable cause) {
        super(message, cause);
    }
}
