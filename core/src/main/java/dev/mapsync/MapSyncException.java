package dev.mapsync;

import dev.mapsync.internal.sys.SyscallException;

import java.util.Optional;

/**
 * The root of every exception mapsync throws. Its message names the map and the operation, and, when a
 * system call failed, the call and its errno name, such as {@code open(/dev/shm/mapsync/a): EACCES}. Its subclasses
 * name the failures a caller may handle apart; it is thrown as it is for the others (such as a system call the kernel
 * refused for a reason no subclass names, or atomic slots asked of a map whose values cannot be mapped).
 *
 * <p><b>Threads.</b> Safe to hand to another thread: the fields mapsync's exceptions add are final, and the state
 * {@link Throwable} keeps is guarded by its own locks.
 */
public class MapSyncException extends RuntimeException {
    /**
     * Makes one with the message it shows.
     *
     * @param message what failed, naming the map
     */
    public MapSyncException(String message) {
        super(message);
    }

    /**
     * Makes one with the message it shows and the failure behind it.
     *
     * @param message what failed, naming the map
     * @param cause   the failure behind it, such as the system call's
     */
    public MapSyncException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * {@return the errno name of the failed system call behind this exception, such as {@code EACCES}, or empty if no
     * system call failed}
     */
    public Optional<String> errnoName() {
        for (Throwable t = this; t != null; t = t.getCause()) {
            if (t instanceof SyscallException s) return Optional.of(s.errnoName());
        }
        return Optional.empty();
    }
}
