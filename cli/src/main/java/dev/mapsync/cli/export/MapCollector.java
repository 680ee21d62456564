package dev.mapsync.cli.export;

import dev.mapsync.BarrierStatus;
import dev.mapsync.RingStatus;
import dev.mapsync.SyncStatus;
import dev.mapsync.replicate.ReplicationStatus;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Reads the maps when Prometheus scrapes, each figure from the mapping at that moment: the health of every map (its
 * locks and change log, a ring's fill and losses, a barrier's state), the sums of counter maps' counters, and one {@code mapsync_value} sample per numeric
 * field of the exported entries of arrays and hash maps (each entry read consistently) when they are within the
 * {@link SeriesLimit}, with {@code mapsync_value_series_dropped} saying how many were left out; and of the arrays and
 * hash maps that a leader or follower replicates on this host, where it stands ({@code mapsync_replica_*}, labelled
 * {@code map} and {@code role}). The names match those of the Micrometer binders (mapsync-micrometer's MapSyncMetrics,
 * mapsync-replicate's ReplicationMeters), so that a dashboard reads either.
 */
final class MapCollector implements MultiCollector {
    private final List<ExportedMap.Keyed> keyed = new ArrayList<>();
    private final List<ExportedMap.Ring> rings = new ArrayList<>();
    private final List<ExportedMap.Barrier> barriers = new ArrayList<>();
    private final List<ExportedMap.Counters> counters = new ArrayList<>();
    private final List<ReplicatedMap> replicated;
    private final SeriesLimit limit;

    MapCollector(List<ExportedMap> maps, List<ReplicatedMap> replicated, SeriesLimit limit) {
        for (ExportedMap m : maps) {
            switch (m) {
                case ExportedMap.Keyed k -> keyed.add(k);
                case ExportedMap.Ring r -> rings.add(r);
                case ExportedMap.Barrier b -> barriers.add(b);
                case ExportedMap.Counters c -> counters.add(c);
            }
        }
        this.replicated = List.copyOf(replicated);
        this.limit = limit;
    }

    /** What one scrape read of an array or a hash map: its health once, so that its gauges agree with each other. */
    private record KeyedReading(String label, SyncStatus status, long entries, long dropped, long unreadable) {}

    private record RingReading(String label, RingStatus status) {}

    private record BarrierReading(String label, BarrierStatus status) {}

    /** What one scrape read of a map's replication: its status file once, so that its gauges agree. */
    private record ReplicaReading(String label, ReplicationStatus status) {}

    @Override
    public MetricSnapshots collect() {
        MetricSnapshots.Builder out = MetricSnapshots.builder();
        if (!keyed.isEmpty()) collectKeyed(out);
        if (!rings.isEmpty()) {
            List<RingReading> r = rings.stream().map(m -> new RingReading(m.label(), m.status())).toList();
            out.metricSnapshot(gauge("mapsync_ring_used_bytes", "Bytes of records claimed and not consumed yet", r,
                    RingReading::label, x -> x.status().usedBytes()));
            out.metricSnapshot(gauge("mapsync_ring_capacity_bytes", "Bytes of records the ring holds", r,
                    RingReading::label, x -> x.status().capacityBytes()));
            out.metricSnapshot(counter("mapsync_ring_lost_records", "Records skipped because their producer died"
                    + " before committing them", r, RingReading::label, x -> x.status().lostRecords()));
            out.metricSnapshot(gauge("mapsync_ring_sealed", "1 once the ring takes no more records", r,
                    RingReading::label, x -> flag(x.status().sealed())));
        }
        if (!barriers.isEmpty()) {
            List<BarrierReading> b = barriers.stream().map(m -> new BarrierReading(m.label(), m.status())).toList();
            out.metricSnapshot(gauge("mapsync_barrier_parties", "Parties that trip the barrier", b,
                    BarrierReading::label, x -> x.status().parties()));
            out.metricSnapshot(gauge("mapsync_barrier_arrived", "Parties that arrived in the current generation and"
                    + " wait", b, BarrierReading::label, x -> x.status().arrived()));
            out.metricSnapshot(gauge("mapsync_barrier_generation", "Times the barrier tripped or was reset", b,
                    BarrierReading::label, x -> x.status().generation()));
            out.metricSnapshot(gauge("mapsync_barrier_broken", "1 while the current generation is broken", b,
                    BarrierReading::label, x -> flag(x.status().broken())));
        }
        if (!counters.isEmpty()) collectCounters(out);
        if (!replicated.isEmpty()) collectReplication(out);
        return out.build();
    }

    /**
     * Each counter's sum as a Prometheus counter, {@code mapsync_counter_total{map,key}}. A counter whose sum is negative
     * (added to with negative deltas) is no Prometheus counter value: it is left out, and
     * {@code mapsync_counter_negative} says how many of the map's were.
     */
    private void collectCounters(MetricSnapshots.Builder out) {
        CounterSnapshot.Builder sums = CounterSnapshot.builder().name("mapsync_counter")
                .help("Sums of the sharded counters of counter maps, read at scrape time (labels: map, key)");
        GaugeSnapshot.Builder negative = GaugeSnapshot.builder().name("mapsync_counter_negative")
                .help("Counters of the map left out of mapsync_counter_total because their sum is negative");
        for (ExportedMap.Counters c : counters) {
            long[] s = c.sums();
            int left = 0;
            for (int i = 0; i < s.length; i++) {
                if (s[i] < 0) {
                    left++;
                    continue;
                }
                sums.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(s[i])
                        .labels(Labels.of("map", c.label(), "key", Integer.toString(i))).build());
            }
            negative.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(left)
                    .labels(Labels.of("map", c.label())).build());
        }
        out.metricSnapshot(sums.build());
        out.metricSnapshot(negative.build());
    }

    /** Where the leader or follower of each replicated map stands, labelled {@code map} and {@code role}. */
    private void collectReplication(MetricSnapshots.Builder out) {
        List<ReplicaReading> r = new ArrayList<>();
        for (ReplicatedMap m : replicated) m.status().ifPresent(s -> r.add(new ReplicaReading(m.label(), s)));
        if (r.isEmpty()) return;
        out.metricSnapshot(replicaGauge("mapsync_replica_lag_changes", "Messages the leader sent that the follower has"
                + " not applied (0 for a leader)", r, s -> s.lagChanges()));
        out.metricSnapshot(replicaGauge("mapsync_replica_lag_seconds", "How much older, on the leader's clock, the"
                + " follower's newest applied message is than the newest it has heard of (0 for a leader)", r,
                s -> s.lagMillis() / 1000.0));
        out.metricSnapshot(replicaGauge("mapsync_replica_position", "The stream's position: sent by a leader, applied"
                + " by a follower", r, s -> s.position()));
        out.metricSnapshot(replicaGauge("mapsync_replica_running", "1 while the leader or follower runs", r,
                s -> flag(s.running())));
        out.metricSnapshot(replicaGauge("mapsync_replica_snapshots", "Snapshots sent (leader) or applied (follower)", r,
                s -> s.snapshots()));
    }

    private static GaugeSnapshot replicaGauge(String name, String help, List<ReplicaReading> readings,
                                              ToDoubleFunction<ReplicationStatus> figure) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
        for (ReplicaReading r : readings) {
            b.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(figure.applyAsDouble(r.status()))
                    .labels(Labels.of("map", r.label(), "role", r.status().role().name().toLowerCase(Locale.ROOT)))
                    .build());
        }
        return b.build();
    }

    private void collectKeyed(MetricSnapshots.Builder out) {
        GaugeSnapshot.Builder values = GaugeSnapshot.builder().name("mapsync_value")
                .help("Numeric fields of map entries, read at scrape time (labels: map, key, field)");
        List<KeyedReading> r = new ArrayList<>();
        for (ExportedMap.Keyed m : keyed) {
            long dropped = limit.dropped(m);
            long unreadable = 0;
            if (dropped == 0) {
                var schema = m.valueSchema();
                unreadable = m.forEachEntry((key, value) -> NumericFields.forEach(schema, value, (field, v) ->
                        values.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(v)
                                .labels(Labels.of("map", m.label(), "key", key, "field", field)).build())));
            }
            r.add(new KeyedReading(m.label(), m.status(), m.entries(), dropped, unreadable));
        }
        out.metricSnapshot(values.build());
        out.metricSnapshot(gauge("mapsync_value_series_dropped", "Value series of the map left out, over the limit of"
                + " series a map (--max-series); 0 when every one is served", r, KeyedReading::label, KeyedReading::dropped));
        out.metricSnapshot(gauge("mapsync_value_unreadable", "Entries of the map left out of mapsync_value at this"
                + " scrape because they could not be read (torn, a write in progress for over a second, bytes that are"
                + " no value); a hash map exported whole stops at the first", r, KeyedReading::label,
                KeyedReading::unreadable));
        out.metricSnapshot(counter("mapsync_changes", "Changes recorded in the map's change log (recorded only while"
                + " someone subscribes)", r, KeyedReading::label, x -> x.status().lastChangeSeq()));
        out.metricSnapshot(counter("mapsync_changes_missed", "Changes subscribers were told they missed (their cursor"
                + " fell further behind than the change log holds), summed over every subscription", r,
                KeyedReading::label, x -> x.status().missedChanges()));
        out.metricSnapshot(gauge("mapsync_entries", "Entries of the map (hash maps: keys present)", r,
                KeyedReading::label, KeyedReading::entries));
        out.metricSnapshot(gauge("mapsync_subscribers", "Open change subscriptions, of every process", r,
                KeyedReading::label, x -> x.status().subscribers()));
        out.metricSnapshot(gauge("mapsync_sleeping_waiters", "Threads sleeping on the change log", r,
                KeyedReading::label, x -> x.status().sleepingWaiters()));
        out.metricSnapshot(gauge("mapsync_locks_held", "Locks held now", r, KeyedReading::label,
                x -> x.status().locksHeld()));
        out.metricSnapshot(gauge("mapsync_locks_dead_owner", "Held locks whose owner died (taken over by the next"
                + " waiter)", r, KeyedReading::label, x -> x.status().locksOfDeadOwners()));
        out.metricSnapshot(gauge("mapsync_torn_entries", "Entries a writer left half-written when it died", r,
                KeyedReading::label, x -> x.status().tornEntries()));
    }

    private static <R> GaugeSnapshot gauge(String name, String help, List<R> readings,
                                           Function<R, String> label, ToDoubleFunction<R> figure) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
        for (R r : readings) {
            b.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(figure.applyAsDouble(r))
                    .labels(Labels.of("map", label.apply(r))).build());
        }
        return b.build();
    }

    private static <R> CounterSnapshot counter(String name, String help, List<R> readings,
                                               Function<R, String> label, ToDoubleFunction<R> count) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
        for (R r : readings) {
            b.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(count.applyAsDouble(r))
                    .labels(Labels.of("map", label.apply(r))).build());
        }
        return b.build();
    }

    private static double flag(boolean b) {
        return b ? 1 : 0;
    }
}
