package dev.mapsync;

/**
 * A barrier generation ended without every party arriving: a party died (or closed its handle) while others
 * waited, a party's wait timed out, a party was interrupted, or the barrier was {@link SharedBarrier#reset() reset}
 * while parties waited. The message says which party and why. A broken barrier stays broken, and every
 * {@link SharedBarrier#await} throws this at once, until {@link SharedBarrier#reset()}. Thread-safe, as every
 * {@link MapSyncException}.
 */
public class BarrierBrokenException extends MapSyncException {
    /** The generation that broke. */
    private final long generation;

    /**
     * Makes one with the message it shows.
     *
     * @param message    which party broke the barrier and how, naming the barrier
     * @param generation the generation that broke
     */
    public BarrierBrokenException(String message, long generation) {
        super(message);
        this.generation = generation;
    }

    /** {@return the generation that broke} */
    public long generation() {
        return generation;
    }
}
