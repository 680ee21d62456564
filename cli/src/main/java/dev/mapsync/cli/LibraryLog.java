package dev.mapsync.cli;

import java.io.PrintWriter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What the library logs (through System.Logger, {@code dev.mapsync}), as a command shows it: a warning is one line,
 * {@code mapsync: warning: ...}, on the command's stderr, instead of the two lines (date and source, then the message)
 * of the JVM's console handler; an error is left out, since the library logs one only for a failure it also hands
 * to its caller (a watch that ended), which the command reports as its own one line.
 */
final class LibraryLog {
    private LibraryLog() {}

    private static final Logger LOGGER = Logger.getLogger("dev.mapsync");
    /** The stderr of the command that runs now (commands run one at a time, but tests run many in one JVM). */
    private static volatile PrintWriter err;

    private static final Handler ONE_LINE = new Handler() {
        @Override
        public void publish(LogRecord r) {
            PrintWriter to = err;
            if (to == null || r.getLevel().intValue() >= Level.SEVERE.intValue()) return;
            String message = r.getMessage() == null ? "" : r.getMessage().strip().replaceAll("\\s*\\R\\s*", " ");
            to.println("mapsync: warning: " + message);
            to.flush();
        }

        @Override
        public void flush() {
            PrintWriter to = err;
            if (to != null) to.flush();
        }

        @Override
        public void close() {
            // the command's stderr is not this handler's to close
        }
    };

    /** From now on the library's warnings go to {@code commandErr}, one line each. */
    static synchronized void to(PrintWriter commandErr) {
        err = commandErr;
        if (LOGGER.getUseParentHandlers()) {
            LOGGER.setUseParentHandlers(false);
            LOGGER.addHandler(ONE_LINE);
        }
    }
}
