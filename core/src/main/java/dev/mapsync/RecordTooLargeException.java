package dev.mapsync;

/**
 * A record is longer than the ring can ever hold: its payload plus the 8-byte header, rounded up to 8, must fit the
 * ring's capacity. Nothing was written.
 */
public class RecordTooLargeException extends InvalidValueException {
    public RecordTooLargeException(String message) {
        super(message);
    }
}
