package dev.mapsync.internal.linux;

/**
 * A failed system call inside the Linux bindings: the call (with its main argument) and the errno.
 * The public layer turns it into the {@link dev.mapsync.MapSyncException} that fits the situation.
 */
public final class SyscallException extends RuntimeException {
    private final String call;
    private final int errno;

    public SyscallException(String call, int errno) {
        super(call + ": " + Errno.name(errno) + (Errno.text(errno).isEmpty() ? "" : " (" + Errno.text(errno) + ")"));
        this.call = call;
        this.errno = errno;
    }

    /** The call, such as {@code open(/dev/shm/mapsync/a)}. */
    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }

    public String errnoName() {
        return Errno.name(errno);
    }
}
