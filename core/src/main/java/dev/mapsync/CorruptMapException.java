package dev.mapsync;

/** The file is not a mapsync map, is truncated, has a layout version this library does not read, or was never finished by its creator. Nothing was changed. */
public class CorruptMapException extends MapSyncException {
    public CorruptMapException(String message) {
        super(message);
    }

    public CorruptMapException(String message, Throwable cause) {
        super(message, cause);
    }
}
