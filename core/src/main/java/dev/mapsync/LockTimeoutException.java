package dev.mapsync;

import java.time.Duration;
import java.util.Optional;

/**
 * A lock (or a consistent read) was not obtained within its timeout: the {@link WaitTimeoutException} of locks. The
 * message names the owner's pid, whether it is alive, and for how long it has held the lock, as far as that is known.
 */
public class LockTimeoutException extends WaitTimeoutException {
    private final int ownerPid;
    private final boolean ownerAlive;
    private final Duration heldFor;

    public LockTimeoutException(String message, int ownerPid, boolean ownerAlive, Duration heldFor) {
        super(message);
        this.ownerPid = ownerPid;
        this.ownerAlive = ownerAlive;
        this.heldFor = heldFor;
    }

    /** The pid of the lock's owner, in the owner's pid namespace (0 if unknown). */
    public int ownerPid() {
        return ownerPid;
    }

    /** True if the owner's map handle was still open when the wait ended. */
    public boolean ownerAlive() {
        return ownerAlive;
    }

    /** For how long the owner had held the lock at least, if known. */
    public Optional<Duration> heldFor() {
        return Optional.ofNullable(heldFor);
    }
}
