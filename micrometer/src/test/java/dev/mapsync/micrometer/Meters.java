package dev.mapsync.micrometer;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.List;
import java.util.function.DoubleSupplier;

/** Reads the meters of one map from a registry, as a scrape would, and waits for a figure that other threads move. */
final class Meters {
    private final MeterRegistry registry;
    private final String map;

    Meters(MeterRegistry registry, String map) {
        this.registry = registry;
        this.map = map;
    }

    double gauge(String name) {
        return registry.get(name).tag("map", map).gauge().value();
    }

    double counter(String name) {
        return registry.get(name).tag("map", map).functionCounter().count();
    }

    /** Every meter of the map, each as {@code name=value}, sorted: what a scrape reads. */
    List<String> readings() {
        return registry.getMeters().stream().filter(m -> map.equals(m.getId().getTag("map")))
                .map(m -> m.getId().getName() + "=" + value(m)).sorted().toList();
    }

    private static double value(Meter m) {
        return m.measure().iterator().next().getValue();
    }

    /**
     * Waits until gauge {@code name} reads {@code expected}, which another thread or process brings about; fails
     * after a minute with the last reading.
     */
    void awaitGauge(String name, double expected) throws InterruptedException {
        await(() -> gauge(name), expected, name);
    }

    private static void await(DoubleSupplier reading, double expected, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        double last = reading.getAsDouble();
        while (last != expected) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(what + " read " + last + " for a minute, not " + expected);
            }
            Thread.sleep(2);
            last = reading.getAsDouble();
        }
    }
}
