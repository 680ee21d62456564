package dev.mapsync.cli;

import java.time.Duration;

/** How commands print a duration: {@code 250 ms}, {@code 1.5 s}. */
final class DurationText {
    private DurationText() {}

    static String of(Duration d) {
        return dev.mapsync.internal.store.Durations.text(d);
    }
}
