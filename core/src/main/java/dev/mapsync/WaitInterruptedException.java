package dev.mapsync;

/**
 * The thread was interrupted while it waited for room in a ring, for a record, or at a barrier. Its interrupt
 * status is set again. Nothing was written; a barrier the thread waited at is broken for the other parties.
 */
public class WaitInterruptedException extends MapSyncException {
    public WaitInterruptedException(String message) {
        super(message);
    }
}
