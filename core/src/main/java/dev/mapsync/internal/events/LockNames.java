package dev.mapsync.internal.events;

/** The {@code lock} field of the lock events, made from the entry and stripe only when an event is written. */
final class LockNames {
    private LockNames() {}

    /** {@code entry 7}, {@code entry 7 (stripe 3)}, {@code stripe 3}, or {@code map-wide} for stripe -1. */
    static String of(int entry, int stripe) {
        if (stripe < 0) return "map-wide";
        if (entry < 0) return "stripe " + stripe;
        return entry == stripe ? "entry " + entry : "entry " + entry + " (stripe " + stripe + ")";
    }
}
