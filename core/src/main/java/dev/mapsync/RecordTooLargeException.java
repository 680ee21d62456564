package dev.mapsync;

/**
 * A record is longer than the ring can ever hold: its payload plus the 8-byte header, rounded up to 8, must fit the
 * ring's capacity. Thrown by the producer methods of {@link SharedRing}. Nothing was written. Thread-safe, as every {@link MapSyncException}.
 */
public class RecordTooLargeException extends InvalidValueException {
    /**
     * Makes one with the message it shows.
     *
     * @param message what failed, naming the map
     */
    public RecordTooLargeException(String message) {
        super(message);
    }
}
