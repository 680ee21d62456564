package dev.mapsync;

/**
 * The kinds of map ({@link MapSpec#type()}, {@link MapInfo#type()}), each with its number in the header. Constants,
 * immutable as every enum's.
 */
public enum MapType {
    /** Fixed-size values indexed {@code 0 .. entries-1}, laid out as the kernel's mmapable array. */
    ARRAY(1),
    /**
     * Fixed-size keys (numbers, {@code char[N]} strings or structs) to fixed-size values: an open-addressing table in
     * shared memory (shm), or a kernel {@code BPF_MAP_TYPE_HASH} reached through {@code bpf(2)} (bpf).
     */
    HASH(2),
    /**
     * A ring buffer of records in the kernel's BPF ring buffer format: many producers, one consumer
     * ({@link SharedRing}, {@link SharedQueue}).
     */
    RING(3),
    /** A barrier that a fixed number of processes meet at, generation after generation ({@link SharedBarrier}). */
    BARRIER(4),
    /**
     * Sharded 64-bit counters: one cell per process slot for each counter, summed on read ({@link SharedCounters}).
     */
    COUNTER(5);

    private final int code;

    MapType(int code) {
        this.code = code;
    }

    /** {@return the number stored in the header for this type} */
    public int code() {
        return code;
    }

    /**
     * The type stored in a header as {@code code}.
     *
     * @param code a header's type number
     * @return the type, or null if no type has that number
     */
    public static MapType ofCode(int code) {
        for (MapType t : values()) {
            if (t.code == code) return t;
        }
        return null;
    }

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
