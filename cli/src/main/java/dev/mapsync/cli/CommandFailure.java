package dev.mapsync.cli;

/**
 * A failure a command expects and reports in its own words, such as a worker process that would not start: one
 * line, exit code 5. Not a bug, so not reported as an internal failure.
 */
public final class CommandFailure extends RuntimeException {
    public CommandFailure(String message) {
        super(message);
    }

    public CommandFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
