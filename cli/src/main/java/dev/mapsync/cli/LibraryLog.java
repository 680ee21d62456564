package dev.mapsync.cli;

import java.io.PrintWriter;
import java.util.ResourceBundle;
import java.util.function.Supplier;

/**
 * What the library logs (through {@link System.Logger}, {@code dev.mapsync}, and its modules' {@code dev.mapsync.*},
 * such as replicate's Aeron warnings), as a command shows it: a warning is one
 * line, {@code mapsync: warning: ...}, on the command's stderr, instead of the two lines (date and source, then the
 * message) of the JVM's console handler; an error is left out, since the library logs one only for a failure it also
 * hands to its caller (a watch that ended), which the command reports as its own one line. Other loggers' warnings
 * and errors are one line each on stderr, {@code NAME: message}.
 *
 * <p>It is the JVM's {@link System.LoggerFinder} (named in {@code META-INF/services}), so that a command that logs
 * nothing never starts {@code java.util.logging} (about 10 ms of a command's start-up). Thread-safe.
 */
public final class LibraryLog extends System.LoggerFinder {
    private static final String LIBRARY = "dev.mapsync", REPLICATE = "dev.mapsync.replicate";

    /** The stderr of the command that runs now (commands run one at a time, but tests run many in one JVM). */
    private static volatile PrintWriter err;

    /** Whether replicate's warnings (Aeron's) are left out for now. */
    private static volatile boolean replicationMuted;

    /**
     * Leaves replicate's warnings out while {@code muted}: Aeron logs a failure to start as well as throwing it, and
     * the command says it once.
     */
    static void muteReplication(boolean muted) {
        replicationMuted = muted;
    }

    /** From now on the library's warnings go to {@code commandErr}, one line each. */
    static void to(PrintWriter commandErr) {
        err = commandErr;
    }

    @Override
    public System.Logger getLogger(String name, Module module) {
        return new OneLine(name);
    }

    private record OneLine(String name) implements System.Logger {
        @Override
        public String getName() {
            return name;
        }

        @Override
        public boolean isLoggable(Level level) {
            if (level == Level.OFF || level.getSeverity() < Level.WARNING.getSeverity()) return false;
            if (replicationMuted && name.startsWith(REPLICATE)) return false;
            return !isLibrary() || (level == Level.WARNING && err != null);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
            if (isLoggable(level)) print(message == null ? String.valueOf(thrown) : message);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            if (isLoggable(level)) print(params == null || params.length == 0 ? format
                    : java.text.MessageFormat.format(format, params));
        }

        @Override
        public void log(Level level, Supplier<String> message) {
            if (isLoggable(level)) print(message.get());
        }

        @Override
        public void log(Level level, Supplier<String> message, Throwable thrown) {
            if (isLoggable(level)) print(message.get());
        }

        private boolean isLibrary() {
            return name.equals(LIBRARY) || name.startsWith(LIBRARY + ".");
        }

        private void print(String message) {
            String line = message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", " ");
            if (!isLibrary()) {
                System.err.println(name + ": " + line);
                return;
            }
            PrintWriter to = err;
            if (to == null) return;
            to.println("mapsync: warning: " + line);
            to.flush();
        }
    }
}
