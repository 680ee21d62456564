package dev.mapsync.cli.export;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The most value series ({@code mapsync_value}) the exporter serves of one map, so that a map of many entries cannot
 * flood Prometheus with series: a map whose exported entries would make more serves its health alone, until it has
 * fewer. The first time a map is over the limit, one line says so (the map, its entries, the limit, and how to
 * choose), unless the limit is 0, which asks for health alone. Thread-safe: scrapes may check at once.
 */
public final class SeriesLimit {
    /**
     * The limit unless {@code --max-series} gives one: a thousand series a map, a few dashboards' worth, well within
     * what one Prometheus target is expected to serve, and far below a hash map of a hundred thousand keys.
     */
    public static final long DEFAULT = 1000;

    private final long max;
    private final Consumer<String> warn;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    /**
     * @param max  the most value series of one map; 0 serves health alone
     * @param warn where the line about a map over the limit goes (stderr)
     * @throws IllegalArgumentException if {@code max} is negative
     */
    public SeriesLimit(long max, Consumer<String> warn) {
        if (max < 0) throw new IllegalArgumentException("--max-series must be 0 or more, not " + max);
        this.max = max;
        this.warn = warn;
    }

    /**
     * The series of {@code map} left out now: 0 if its value series are within the limit, else all of them (said
     * once, the first time).
     */
    long dropped(ExportedMap.Keyed map) {
        long series = map.series();
        if (series <= max) return 0;
        if (max > 0 && warned.add(map.label())) warn.accept(line(map, series));
        return series;
    }

    private String line(ExportedMap.Keyed map, long series) {
        String entries = map.selected() ? "--keys chooses " + map.exportedEntries() + " entries of map '" + map.label() + "'"
                : "map '" + map.label() + "' has " + map.exportedEntries() + " entries";
        return "mapsync: " + entries + " (" + series + " value series), over the limit of " + max + " series a map:"
                + " serving its health only; choose entries with --keys, or raise the limit with --max-series N";
    }
}
