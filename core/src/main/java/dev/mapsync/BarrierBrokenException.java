package dev.mapsync;

/**
 * A barrier generation ended without every party arriving: a party died (or closed its handle) while others
 * waited, a party's wait timed out, a party was interrupted, or the barrier was {@link SharedBarrier#reset() reset}
 * while parties waited. The message says which party and why. A broken barrier stays broken, and every
 * {@link SharedBarrier#await} throws this at once, until {@link SharedBarrier#reset()}.
 */
public class BarrierBrokenException extends MapSyncException {
    private final long generation;

    public BarrierBrokenException(String message, long generation) {
        super(message);
        this.generation = generation;
    }

    /** The generation that broke. */
    public long generation() {
        return generation;
    }
}
