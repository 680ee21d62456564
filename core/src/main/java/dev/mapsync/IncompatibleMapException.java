package dev.mapsync;

/**
 * An existing map differs from the spec it was opened with. The message names the first field that differs,
 * such as {@code value size: file has 24, spec asks 16}. Nothing was changed.
 */
public class IncompatibleMapException extends MapSyncException {
    private final String field;

    public IncompatibleMapException(String map, String field, Object fileHas, Object specAsks) {
        super("map '" + map + "' does not match the spec: " + field + ": file has " + fileHas + ", spec asks " + specAsks);
        this.field = field;
    }

    public IncompatibleMapException(String message) {
        super(message);
        this.field = "";
    }

    /** A mismatch that {@code message} describes in full (such as a kernel map against its sidecar); {@code field} names what differs. */
    public IncompatibleMapException(String message, String field) {
        super(message);
        this.field = field;
    }

    /** The field that differs, such as {@code value size}. */
    public String field() {
        return field;
    }
}
