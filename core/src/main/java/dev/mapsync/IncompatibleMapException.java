package dev.mapsync;

/**
 * An existing map differs from the spec it was opened with. The message names the first field that differs, with
 * what the map has and what the spec asks (for schemas, both schemas and the fields that differ, such as
 * {@code value schema: file has 'id:i64,balance:i64', 16 bytes, spec asks 'id:i64,balance:i64,created:i64', 24 bytes
 * (the spec adds created:i64)}), and how to go on: delete the map and create it again, or use another name. Nothing
 * was changed.
 */
public class IncompatibleMapException extends MapSyncException {
    private final String field;

    public IncompatibleMapException(String map, String field, Object fileHas, Object specAsks) {
        super("map '" + map + "' does not match the spec: " + field + ": file has " + fileHas + ", spec asks " + specAsks
                + ". To go on, delete the map (SharedMaps.delete, or mapsync rm) and create it again, or give the spec"
                + " another name");
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
