package dev.mapsync.internal.notify;

/**
 * The library's logger ({@code dev.mapsync}), looked up on first use: {@link System#getLogger} finds the JVM's logging
 * back end through the service loader, milliseconds that a process which never logs should not pay when it opens its
 * first map.
 */
final class LibraryLogger {
    private LibraryLogger() {}

    /** The logger's name. */
    static final String NAME = "dev.mapsync";

    private static final class Holder {
        static final System.Logger LOG = System.getLogger(NAME);
    }

    static System.Logger get() {
        return Holder.LOG;
    }
}
