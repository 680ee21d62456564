package dev.mapsync.internal.store;

import java.time.Duration;

/** How exception messages print a duration: {@code 250 ms}, {@code 1.5 s}. */
public final class Durations {
    private Durations() {}

    public static String text(Duration d) {
        return nanos(d.toNanos());
    }

    public static String nanos(long nanos) {
        if (nanos < 1_000_000_000L) return (nanos / 1_000_000) + " ms";
        return String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9);
    }
}
