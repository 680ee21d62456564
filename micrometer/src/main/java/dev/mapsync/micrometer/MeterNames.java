package dev.mapsync.micrometer;

/**
 * The names of the meters {@link MapSyncMetrics} binds, each tagged {@code map}. They are the names
 * {@code mapsync export} serves, in Micrometer's dotted form: a Prometheus registry turns {@code mapsync.locks.held}
 * into {@code mapsync_locks_held}, appends a gauge's base unit ({@code mapsync.ring.used} in bytes becomes
 * {@code mapsync_ring_used_bytes}) and {@code _total} to a counter ({@code mapsync_changes_total}).
 */
public final class MeterNames {
    private MeterNames() {}

    /** Gauge: an array's length, or the keys present in a hash map. */
    public static final String ENTRIES = "mapsync.entries";
    /** Gauge: locks held now (entry stripes or hash segments, and an array's map-wide lock), by every process. */
    public static final String LOCKS_HELD = "mapsync.locks.held";
    /** Gauge: of those, locks whose owner died (the next process to ask takes them over). */
    public static final String LOCKS_DEAD_OWNER = "mapsync.locks.dead.owner";
    /** Gauge: entries a writer left half-written when it died (always 0 for hash maps, whose writes are journaled). */
    public static final String TORN_ENTRIES = "mapsync.torn.entries";
    /** Gauge: open change subscriptions, of every process. */
    public static final String SUBSCRIBERS = "mapsync.subscribers";
    /** Gauge: threads sleeping on the change log now, of every process. */
    public static final String SLEEPING_WAITERS = "mapsync.sleeping.waiters";
    /** Function counter: changes recorded in the change log (recorded only while someone subscribes). */
    public static final String CHANGES = "mapsync.changes";
    /** Function counter: changes subscribers were told they missed, summed over every subscription of every process. */
    public static final String CHANGES_MISSED = "mapsync.changes.missed";

    /** Gauge, bytes: bytes of a ring's (or a queue's) records claimed and not consumed yet. */
    public static final String RING_USED = "mapsync.ring.used";
    /** Gauge, bytes: bytes of records the ring holds. */
    public static final String RING_CAPACITY = "mapsync.ring.capacity";
    /** Function counter, records: records skipped because their producer died before committing them. */
    public static final String RING_LOST = "mapsync.ring.lost";
    /** Gauge: 1 once the ring takes no more records, else 0. */
    public static final String RING_SEALED = "mapsync.ring.sealed";

    /** Gauge: how many parties trip the barrier. */
    public static final String BARRIER_PARTIES = "mapsync.barrier.parties";
    /** Gauge: parties that arrived in the current generation and wait. */
    public static final String BARRIER_ARRIVED = "mapsync.barrier.arrived";
    /** Gauge: the barrier's generation, how many times it tripped or was reset. */
    public static final String BARRIER_GENERATION = "mapsync.barrier.generation";
    /** Gauge: 1 while the current generation is broken (a party died, timed out or was interrupted), else 0. */
    public static final String BARRIER_BROKEN = "mapsync.barrier.broken";

    /**
     * Function counter, one per counter of a counter map (tag {@code key}: its index): the counter's sum over every
     * process's cell.
     */
    public static final String COUNTER = "mapsync.counter";
}
