package dev.mapsync;

/**
 * The thread was interrupted while it waited for room in a ring, for a record, or at a barrier, or for its turn at a
 * handle that another thread of the process was using (a ring's consumer, a change cursor, a barrier). Its interrupt
 * status is set again. Nothing was written; a barrier the thread waited at is broken for the other parties (unless
 * it was still waiting for its turn, and so had not arrived). Thread-safe, as every {@link MapSyncException}.
 */
public class WaitInterruptedException extends MapSyncException {
    /**
     * Makes one with the message it shows.
     *
     * @param message what failed, naming the map
     */
    public WaitInterruptedException(String message) {
        super(message);
    }
}
