package dev.mapsync.replicate;

import dev.mapsync.MapLocation;
import dev.mapsync.replicate.ReplicationStatus.Role;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.Locale;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Binds where a leader or follower of a map stands ({@link ReplicationStatus}) to a Micrometer registry, read at each
 * scrape:
 *
 * <pre>{@code
 * Follower follower = Follower.follow(replica, "10.0.0.5:7400");
 * ReplicationMeters.of(follower).bindTo(registry);   // mapsync.replica.lag.changes{map="accounts",role="follower"}, ...
 * }</pre>
 *
 * <p>Five gauges, each tagged {@code map} (the map's name) and {@code role} ({@code leader} or {@code follower}), under
 * the names {@code mapsync export} serves for the same figures (a Prometheus registry serves
 * {@code mapsync.replica.lag} in seconds as {@code mapsync_replica_lag_seconds}):
 * {@value #LAG_CHANGES}, {@value #LAG} (seconds), {@value #POSITION}, {@value #RUNNING} (1 or 0) and
 * {@value #SNAPSHOTS}. Micrometer needs to be on the class path (or module path) only for this class.
 *
 * <p>What they read: a {@link Leader}'s or {@link Follower}'s own {@code status()} (held weakly, as Micrometer's
 * binders hold what they watch: once it is collected the gauges read NaN; once it is closed they read its last
 * status, not running), or the status file of the map at a {@link MapLocation}, whichever process replicates it on this
 * host (the gauges read NaN while there is none, or while it is of the other role).
 *
 * <p>Immutable and thread-safe; the gauges may be read from any thread. A status file that cannot be read (not a status
 * file) is an exception from the gauge's function, which Micrometer logs and reports as NaN.
 */
public final class ReplicationMeters implements MeterBinder {
    /** Gauge: the messages the leader sent that the follower has not applied (0 for a leader). */
    public static final String LAG_CHANGES = "mapsync.replica.lag.changes";
    /**
     * Gauge, seconds: how much older, on the leader's clock, the follower's newest applied message is than the newest it
     * has heard of (0 in step, and for a leader).
     */
    public static final String LAG = "mapsync.replica.lag";
    /** Gauge: the stream's position, sent by a leader, applied by a follower. */
    public static final String POSITION = "mapsync.replica.position";
    /** Gauge: 1 while the leader or follower runs, else 0. */
    public static final String RUNNING = "mapsync.replica.running";
    /** Gauge: the snapshots sent (leader) or applied (follower). */
    public static final String SNAPSHOTS = "mapsync.replica.snapshots";

    private final Object source;
    private final boolean strong;
    private final String map;
    private final Role role;
    private final Tags tags;

    private ReplicationMeters(Object source, boolean strong, String map, Role role, Tags tags) {
        this.source = source;
        this.strong = strong;
        this.map = map;
        this.role = role;
        this.tags = tags;
    }

    /**
     * A binder of {@code leader}'s figures.
     *
     * @param leader the leader, held weakly
     * @return the binder, tagged {@code map} and {@code role=leader}
     * @throws NullPointerException if {@code leader} is null
     */
    public static ReplicationMeters of(Leader leader) {
        return new ReplicationMeters(leader, false, leader.status().map(), Role.LEADER, Tags.empty());
    }

    /**
     * A binder of {@code follower}'s figures.
     *
     * @param follower the follower, held weakly
     * @return the binder, tagged {@code map} and {@code role=follower}
     * @throws NullPointerException if {@code follower} is null
     */
    public static ReplicationMeters of(Follower follower) {
        return new ReplicationMeters(follower, false, follower.status().map(), Role.FOLLOWER, Tags.empty());
    }

    /**
     * A binder of the figures that the {@code role} of the map at {@code map} on this host writes in its status file,
     * whichever process that is, and whether it runs yet or not.
     *
     * @param map  where the map is on this host
     * @param role the role whose status file is read
     * @return the binder, tagged {@code map} (the location's name) and {@code role}
     * @throws NullPointerException if {@code map} or {@code role} is null
     */
    public static ReplicationMeters of(MapLocation map, Role role) {
        // a location is a small value that callers rarely keep: held strongly, or its gauges would soon read NaN
        return new ReplicationMeters(Objects.requireNonNull(map, "map"), true, map.name(),
                Objects.requireNonNull(role, "role"), Tags.empty());
    }

    /**
     * This binder with more tags. A {@code map} or {@code role} tag given replaces the binder's own.
     *
     * @param more the tags to add
     * @return the changed copy
     * @throws NullPointerException if {@code more} is null
     */
    public ReplicationMeters tags(Iterable<Tag> more) {
        return new ReplicationMeters(source, strong, map, role, tags.and(Objects.requireNonNull(more, "more")));
    }

    /** Registers the five gauges in {@code registry}. */
    @Override
    public void bindTo(MeterRegistry registry) {
        Tags all = Tags.of("map", map, "role", role.name().toLowerCase(Locale.ROOT)).and(tags);
        gauge(registry, all, LAG_CHANGES, null, "Messages the leader sent that the follower has not applied",
                ReplicationStatus::lagChanges);
        gauge(registry, all, LAG, "seconds", "How much older, on the leader's clock, the follower's newest applied"
                + " message is than the newest it has heard of", s -> s.lagMillis() / 1000.0);
        gauge(registry, all, POSITION, null, "The stream's position: sent by a leader, applied by a follower",
                ReplicationStatus::position);
        gauge(registry, all, RUNNING, null, "1 while the leader or follower runs", s -> s.running() ? 1 : 0);
        gauge(registry, all, SNAPSHOTS, null, "Snapshots sent (leader) or applied (follower)",
                ReplicationStatus::snapshots);
    }

    private void gauge(MeterRegistry registry, Tags all, String name, String unit, String description,
                       ToDoubleFunction<ReplicationStatus> figure) {
        Role wanted = role;
        // the function captures the role alone, never the source: the gauge's reference to it is the only one
        Gauge.builder(name, source, s -> read(s, wanted, figure)).baseUnit(unit).description(description).tags(all)
                .strongReference(strong).register(registry);
    }

    private static double read(Object source, Role role, ToDoubleFunction<ReplicationStatus> figure) {
        ReplicationStatus s = switch (source) {
            case Leader l -> l.status();
            case Follower f -> f.status();
            case MapLocation at -> ReplicationStatus.of(at).filter(found -> found.role() == role).orElse(null);
            default -> throw new IllegalStateException("not a source of a replication status: " + source);
        };
        return s == null ? Double.NaN : figure.applyAsDouble(s);
    }
}
