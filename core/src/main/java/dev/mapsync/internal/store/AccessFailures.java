package dev.mapsync.internal.store;

import dev.mapsync.CorruptMapException;
import dev.mapsync.MapClosedException;

/**
 * Turns a failed access to a map's memory into the public exception that says what happened: the handle was closed
 * ({@link IllegalStateException} from the closed arena), or the memory vanished under it ({@link InternalError}: the
 * JVM's report of a fault in a memory access, when another process shrank the file or punched a hole in it that the
 * file system had no room to back).
 */
public final class AccessFailures {
    private AccessFailures() {}

    /**
     * @param what   the map, as messages name it: {@code map 'x'}, {@code ring 'x'}
     * @param closed true if the handle is closed
     * @return the exception to throw instead of {@code e}
     * @throws Error {@code e} itself, if it is an error other than a memory fault
     */
    public static RuntimeException of(String what, boolean closed, Throwable e) {
        if (closed) return new MapClosedException(what + " is closed", e);
        if (isMemoryFault(e)) return vanished(what, e);
        if (e instanceof RuntimeException r) return r;
        throw (Error) e;
    }

    /** True for the JVM's report of a fault in a memory access (SIGBUS on a mapped page). */
    public static boolean isMemoryFault(Throwable e) {
        return e instanceof InternalError && e.getMessage() != null && e.getMessage().contains("unsafe memory access");
    }

    public static CorruptMapException vanished(String what, Throwable cause) {
        CorruptMapException e = new CorruptMapException(what + " lost its memory while open: its file was truncated, or"
                + " has a hole the file system has no room for; close this handle (the map needs to be made again)");
        e.initCause(cause);
        return e;
    }
}
