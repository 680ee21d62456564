package dev.mapsync.micrometer;

import dev.mapsync.MapClosedException;
import dev.mapsync.SharedMap;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * How a meter reads a figure of a handle at scrape time, and what it reads once the handle is closed: a gauge reads
 * NaN, as Micrometer's gauges do once the object they watch is collected; a counter keeps its last count, as
 * Micrometer's function counters do then, since a count that fell to NaN would break every rate computed over it.
 * Thread-safe.
 */
final class Readings {
    private Readings() {}

    /** A gauge's reading: {@code figure} of {@code map}, or NaN once the handle is closed. */
    static <M extends SharedMap> ToDoubleFunction<M> gauge(ToDoubleFunction<M> figure) {
        return map -> {
            if (map.isClosed()) return Double.NaN;
            try {
                return figure.applyAsDouble(map);
            } catch (MapClosedException e) {
                return Double.NaN; // closed between the check and the read
            }
        };
    }

    /**
     * A counter's reading: {@code count} of {@code map}, or the last count read once the handle is closed. The
     * returned function holds that last count, never the handle, so the meter's weak reference stays the only one.
     */
    static <M extends SharedMap> ToDoubleFunction<M> counter(ToLongFunction<M> count) {
        AtomicLong last = new AtomicLong();
        return map -> {
            if (!map.isClosed()) {
                try {
                    last.set(count.applyAsLong(map));
                } catch (MapClosedException e) {
                    // closed between the check and the read: the last count stands
                }
            }
            return last.get();
        };
    }

    /** 1 for true, 0 for false: how a gauge says yes or no. */
    static double flag(boolean b) {
        return b ? 1 : 0;
    }
}
