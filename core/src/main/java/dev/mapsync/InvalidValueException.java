package dev.mapsync;

/** A value does not fit its field: a string longer than its {@code char[N]}, a number outside its type's range, or a value of the wrong type. Nothing was written. */
public class InvalidValueException extends MapSyncException {
    public InvalidValueException(String message) {
        super(message);
    }

    public InvalidValueException(String message, Throwable cause) {
        super(message, cause);
    }
}
