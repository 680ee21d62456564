/**
 * The exporter of {@code mapsync export}: maps read at each Prometheus scrape ({@link dev.mapsync.cli.export.MapCollector}),
 * their health always, the numeric fields of the chosen entries of arrays and hash maps
 * ({@link dev.mapsync.cli.export.KeySelection}) within a limit of series a map
 * ({@link dev.mapsync.cli.export.SeriesLimit}), the replication of those a leader or follower keeps on this host
 * ({@link dev.mapsync.cli.export.ReplicatedMap}), served over HTTP ({@link dev.mapsync.cli.export.MetricsServer}).
 * Thread-safe: scrapes may run at once; the maps are read through read-only handles.
 */
package dev.mapsync.cli.export;
