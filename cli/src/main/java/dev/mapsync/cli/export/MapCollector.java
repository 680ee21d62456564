package dev.mapsync.cli.export;

import dev.mapsync.SyncStatus;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.List;

/**
 * Reads the maps when Prometheus scrapes: one gauge sample per numeric field of every entry, read from the
 * mapping at that moment (each entry consistently), and the maps' lock and subscription health.
 */
final class MapCollector implements MultiCollector {
    private final List<ExportedMap> maps;

    MapCollector(List<ExportedMap> maps) {
        this.maps = List.copyOf(maps);
    }

    @Override
    public MetricSnapshots collect() {
        GaugeSnapshot.Builder values = GaugeSnapshot.builder().name("mapsync_value")
                .help("Numeric fields of map entries, read at scrape time (labels: map, key, field)");
        for (ExportedMap m : maps) {
            var schema = m.valueSchema();
            m.forEachEntry((key, value) -> NumericFields.forEach(schema, value, (field, v) -> values.dataPoint(
                    GaugeSnapshot.GaugeDataPointSnapshot.builder().value(v)
                            .labels(Labels.of("map", m.label(), "key", key, "field", field)).build())));
        }
        List<SyncStatus> status = maps.stream().map(ExportedMap::status).toList();
        CounterSnapshot.Builder changes = CounterSnapshot.builder().name("mapsync_changes")
                .help("Changes recorded in the map's change log (recorded only while someone subscribes)");
        for (int i = 0; i < maps.size(); i++) {
            changes.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(status.get(i).lastChangeSeq())
                    .labels(Labels.of("map", maps.get(i).label())).build());
        }
        return MetricSnapshots.of(values.build(), changes.build(),
                gauge("mapsync_entries", "Entries of the map (hash maps: keys present)", status, (s, i) -> maps.get(i).entries()),
                gauge("mapsync_subscribers", "Open change subscriptions, of every process", status, (s, i) -> s.subscribers()),
                gauge("mapsync_sleeping_waiters", "Threads sleeping on the change log", status, (s, i) -> s.sleepingWaiters()),
                gauge("mapsync_locks_held", "Locks held now", status, (s, i) -> s.locksHeld()),
                gauge("mapsync_locks_dead_owner", "Held locks whose owner died (taken over by the next waiter)", status,
                        (s, i) -> s.locksOfDeadOwners()),
                gauge("mapsync_torn_entries", "Entries a writer left half-written when it died", status, (s, i) -> s.tornEntries()));
    }

    private interface Figure {
        double of(SyncStatus status, int map);
    }

    private GaugeSnapshot gauge(String name, String help, List<SyncStatus> status, Figure figure) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
        for (int i = 0; i < maps.size(); i++) {
            b.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(figure.of(status.get(i), i))
                    .labels(Labels.of("map", maps.get(i).label())).build());
        }
        return b.build();
    }
}
