package dev.mapsync;

/**
 * The ring was sealed ({@link SharedRing#seal()}): it takes no more records. The consumer still reads the records
 * committed before, then finds the ring drained. Thrown by the producer methods of {@link SharedRing} and
 * {@link SharedQueue}. Nothing was written. Thread-safe, as every {@link MapSyncException}.
 */
public class RingSealedException extends MapSyncException {
    /**
     * Makes one with the message it shows.
     *
     * @param message what failed, naming the map
     */
    public RingSealedException(String message) {
        super(message);
    }
}
