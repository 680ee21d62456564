package dev.mapsync;

import java.time.Duration;

/** How the exceptions of this package print a duration: {@code 250 ms}, {@code 1.5 s}. */
final class Durations {
    private Durations() {}

    static String text(Duration d) {
        return nanos(d.toNanos());
    }

    static String nanos(long nanos) {
        if (nanos < 1_000_000_000L) return (nanos / 1_000_000) + " ms";
        return String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9);
    }
}
