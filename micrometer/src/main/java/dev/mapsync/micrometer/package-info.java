/**
 * Micrometer meters for the health of mapsync maps: {@link dev.mapsync.micrometer.MapSyncMetrics} binds, for one open
 * handle, the locks, torn entries, subscribers and change count of an array or a hash map, the fill, losses and seal of
 * a ring or a queue, and the state of a barrier. Every meter is read from the map's memory when the registry is
 * scraped, through the public API of {@code dev.mapsync} alone, and carries the tag {@code map}. The names are those
 * of {@code mapsync export} (the command line's Prometheus exporter), listed in {@link dev.mapsync.micrometer.MeterNames},
 * so a dashboard reads either. Thread-safe: meters may be read from any thread while others use the map.
 */
package dev.mapsync.micrometer;
