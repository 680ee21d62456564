package dev.mapsync;

/**
 * An existing map differs from the spec it was opened with. The message names the first field that differs, with
 * what the map has and what the spec asks (for schemas, both schemas and the fields that differ, such as
 * {@code value schema: file has 'id:i64,balance:i64', 16 bytes, spec asks 'id:i64,balance:i64,created:i64', 24 bytes
 * (the spec adds created:i64)}), and how to go on: delete the map and create it again, or use another name. Nothing
 * was changed. Thrown by the {@code open} and {@code openOrCreate} methods of the handles. Thread-safe, as every
 * {@link MapSyncException}.
 */
public class IncompatibleMapException extends MapSyncException {
    /** What differs, or empty. */
    private final String field;

    /**
     * Makes one for a field whose value in the map differs from the spec's; the message says how to go on.
     *
     * @param map      the map's name
     * @param field    what differs, such as {@code value size}
     * @param fileHas  what the map has
     * @param specAsks what the spec asks
     */
    public IncompatibleMapException(String map, String field, Object fileHas, Object specAsks) {
        super("map '" + map + "' does not match the spec: " + field + ": file has " + fileHas + ", spec asks " + specAsks
                + ". To go on, delete the map (SharedMaps.delete, or mapsync rm) and create it again, or give the spec"
                + " another name");
        this.field = field;
    }

    /**
     * Makes one whose message says it all, with no field named.
     *
     * @param message what differs, naming the map
     */
    public IncompatibleMapException(String message) {
        super(message);
        this.field = "";
    }

    /**
     * Makes one for a mismatch that {@code message} describes in full, such as a kernel map against its sidecar.
     *
     * @param message what differs, naming the map
     * @param field   what differs, such as {@code value size}
     */
    public IncompatibleMapException(String message, String field) {
        super(message);
        this.field = field;
    }

    /** {@return the field that differs, such as {@code value size}, or empty when the message alone says} */
    public String field() {
        return field;
    }
}
