package dev.mapsync.cli.corruption;

/**
 * The kinds of map the corruption suite corrupts, each made once as a template (by {@link Templates}) in a state
 * that has something in every region: values, changes in the change log, a lock whose owner died, records in a ring,
 * a party waiting at a barrier, cells of two processes in a counter map. A case corrupts a copy of its kind's template (the sidecar of a bpf map, restored
 * before each case, since its kernel map cannot be copied).
 */
enum MapKind {
    /** An array of records {@code id:i64,balance:i64,owner:char[16]}: 64 entries, a lock per entry, a change log of 64. */
    RECORDS("rec", false),
    /** An array of i64: 64 entries in 8 lock stripes (so stripes are not entries), a change log of 64. */
    LONGS("lng", false),
    /** A hash map from char[16] to the record above: capacity 64 in 4 segments, keys k0..k11 but k7. */
    HASH("hsh", false),
    /** A queue of i64 values, 4096 bytes: 5 put, 2 taken. */
    QUEUE("que", false),
    /** A ring of records of any length, 4096 bytes: records of 5, 1, 20 and 3 bytes, the first taken. */
    RING("rng", false),
    /** A queue like {@link #QUEUE}, sealed with 3 values left in it: take --follow drains it and ends. */
    SEALED("sld", false),
    /** A barrier of 2 parties, one of which arrived and died waiting: the next arrival trips it. */
    BARRIER("bar", false),
    /** A counter map of 4 counters: two handles (one of them the creator's) added to counter 0, both died open. */
    COUNTER("cnt", false),
    /** The records array on the bpf backend: a kernel array map, its header and locks in the sidecar. */
    BPF_RECORDS("brec", true);

    /** The template's map name (a bpf one gets a unique suffix: its pin is machine-wide). */
    final String template;
    final boolean bpf;

    MapKind(String template, boolean bpf) {
        this.template = template;
        this.bpf = bpf;
    }

    boolean isArray() {
        return this == RECORDS || this == LONGS || this == BPF_RECORDS;
    }

    boolean isRing() {
        return this == QUEUE || this == RING || this == SEALED;
    }
}
