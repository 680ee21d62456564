package dev.mapsync;

/** The thread was interrupted while it waited for a lock. Its interrupt status is set again. */
public class LockInterruptedException extends WaitInterruptedException {
    public LockInterruptedException(String message) {
        super(message);
    }
}
