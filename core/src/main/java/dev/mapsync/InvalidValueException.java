package dev.mapsync;

/**
 * A value does not fit its field: a string longer than its {@code char[N]}, a number outside its type's range, or a
 * value of the wrong type; or stored bytes are no value of the schema. Thrown by {@link Codec#write} and
 * {@link Codec#read}, and so by every handle operation that writes or reads a value or a key. Nothing was written.
 * Thread-safe, as every {@link MapSyncException}.
 */
public class InvalidValueException extends MapSyncException {
    /**
     * Makes one with the message it shows.
     *
     * @param message what failed, naming the map
     */
    public InvalidValueException(String message) {
        super(message);
    }

    /**
     * Makes one with the message it shows and the failure behind it.
     *
     * @param message what failed, naming the map
     * @param cause   the failure behind it
     */
    public InvalidValueException(String message, Throwable cause) {
        super(message, cause);
    }
}
