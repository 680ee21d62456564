package dev.mapsync;

/**
 * The ring was sealed ({@link SharedRing#seal()}): it takes no more records. The consumer still reads the records
 * committed before, then finds the ring drained. Nothing was written.
 */
public class RingSealedException extends MapSyncException {
    public RingSealedException(String message) {
        super(message);
    }
}
