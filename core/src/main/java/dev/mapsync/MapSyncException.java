package dev.mapsync;

import dev.mapsync.internal.sys.SyscallException;

import java.util.Optional;

/**
 * The root of every exception mapsync throws. Its message names the map and the operation, and, when a
 * system call failed, the call and its errno name, such as {@code open(/dev/shm/mapsync/a): EACCES}.
 */
public class MapSyncException extends RuntimeException {
    public MapSyncException(String message) {
        super(message);
    }

    public MapSyncException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The errno name of the failed system call behind this exception, such as {@code EACCES}, if there was one. */
    public Optional<String> errnoName() {
        for (Throwable t = this; t != null; t = t.getCause()) {
            if (t instanceof SyscallException s) return Optional.of(s.errnoName());
        }
        return Optional.empty();
    }
}
