package dev.mapsync.cli.chaos;

/** A broken invariant, found where it can only be reported: the message says what was expected and what was seen. */
final class Violation extends RuntimeException {
    Violation(String message) {
        super(message, null, false, false);
    }
}
