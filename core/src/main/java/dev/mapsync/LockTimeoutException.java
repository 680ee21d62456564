package dev.mapsync;

import java.time.Duration;
import java.util.Optional;

/**
 * A lock (or a consistent read) was not obtained within its timeout: the {@link WaitTimeoutException} of locks. The
 * message names the owner's pid, whether it is alive, and for how long it has held the lock, as far as that is known.
 * Thrown by the {@code lock} methods and by the operations that take a lock themselves (such as
 * {@link SharedArray#set} of a record, {@link SharedArray#update}, the writes of {@link SharedHashMap}), and by a
 * consistent read that waited for a live writer (or found the entry changed under every attempt) for the whole lock
 * timeout. Thread-safe, as every {@link MapSyncException}.
 */
public class LockTimeoutException extends WaitTimeoutException {
    /** The owner's pid, or 0. */
    private final int ownerPid;
    /** Whether the owner's handle was open. */
    private final boolean ownerAlive;
    /** How long the owner had held the lock, or null. */
    private final Duration heldFor;

    /**
     * Makes one with the message it shows and what is known of the owner.
     *
     * @param message    what was not obtained, naming the map and the owner
     * @param ownerPid   the owner's pid, in its own pid namespace, or 0 if unknown
     * @param ownerAlive true if the owner's handle was still open when the wait ended
     * @param heldFor    for how long the owner had held the lock at least, or null if unknown
     */
    public LockTimeoutException(String message, int ownerPid, boolean ownerAlive, Duration heldFor) {
        super(message);
        this.ownerPid = ownerPid;
        this.ownerAlive = ownerAlive;
        this.heldFor = heldFor;
    }

    /** {@return the pid of the lock's owner, in the owner's pid namespace (0 if unknown)} */
    public int ownerPid() {
        return ownerPid;
    }

    /** {@return true if the owner's map handle was still open when the wait ended} */
    public boolean ownerAlive() {
        return ownerAlive;
    }

    /** {@return for how long the owner had held the lock at least, or empty if not known} */
    public Optional<Duration> heldFor() {
        return Optional.ofNullable(heldFor);
    }
}
