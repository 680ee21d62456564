package dev.mapsync;

import dev.mapsync.internal.hash.HashLayout;
import dev.mapsync.internal.store.Blueprint;
import dev.mapsync.internal.store.Limits;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The blueprint of a hash map: its name (or file, or pin), the codecs of its keys and values, its capacity and
 * backend. Immutable and thread-safe; every wither returns a changed copy, and a factory or wither given a bad
 * argument throws {@link IllegalArgumentException}. Open or create the map from it with {@link SharedHashMap}'s
 * {@code create}, {@code open}, {@code openReadOnly} and {@code openOrCreate}; an existing hash map is opened as it is from its {@link MapLocation}
 * ({@link MapSpec#existing(String)}, {@link MapSpec#existingPin}).
 *
 * <pre>{@code
 * record Session(long user, long expires, @Chars(32) String ip) {}
 * HashSpec<String, Session> spec = HashSpec.of("sessions", Codec.chars(36), Codec.record(Session.class), 100_000);
 * }</pre>
 *
 * <p>Keys are fixed-size, like values: a number, a {@code char[N]} string ({@link Codec#chars}) or a record. Two
 * keys are the same key when their encoded bytes are equal (so {@code -0.0} and {@code 0.0} are different keys).
 *
 * <p>On the {@link Backend#SHM shm} backend the map is an open-addressing table in shared memory, {@link #segments}
 * segments each with its own lock and sequence word; it holds exactly {@link #capacity} entries. On the
 * {@link Backend#BPF bpf} backend it is a kernel {@code BPF_MAP_TYPE_HASH} ({@link #lru} for
 * {@code BPF_MAP_TYPE_LRU_HASH}, {@link #perCpu} for the per-CPU variants) with {@code max_entries} = capacity, pinned at {@code /sys/fs/bpf/mapsync/<name>},
 * reached through {@code bpf(2)}: kernel hash maps cannot be mapped into memory.
 *
 * @param <K> the Java type of a key
 * @param <V> the Java type of a value
 */
public final class HashSpec<K, V> extends SpecBase<HashSpec<K, V>, V> implements MapSpec<V> {
    private final Codec<K> key;
    private final Codec<V> value;
    private final int capacity;
    private final int segments;
    private final int changelogCapacity;
    private final boolean lru;
    private final boolean spinLock;
    private final boolean perCpu;

    private HashSpec(MapLocation location, Codec<K> key, Codec<V> value, int capacity, int segments,
                     int changelogCapacity, boolean lru, boolean spinLock) {
        this(location, key, value, capacity, segments, changelogCapacity, lru, spinLock, false);
    }

    private HashSpec(MapLocation location, Codec<K> key, Codec<V> value, int capacity, int segments,
                     int changelogCapacity, boolean lru, boolean spinLock, boolean perCpu) {
        super(location);
        this.key = key;
        this.value = value;
        this.capacity = capacity;
        this.segments = segments;
        this.changelogCapacity = changelogCapacity;
        this.lru = lru;
        this.spinLock = spinLock;
        this.perCpu = perCpu;
    }

    /**
     * A hash map called {@code name} (in the default folder, or in {@link #dir}) holding up to {@code capacity}
     * entries.
     *
     * @param name     the map's name
     * @param key      the codec of the keys
     * @param value    the codec of the values
     * @param capacity the most entries the map holds
     * @param <K>      the Java type of a key
     * @param <V>      the Java type of a value
     * @return the spec
     * @throws IllegalArgumentException if the name is not valid, capacity is not positive, or a key, a value or the
     *                                  map is larger than a map may hold
     */
    public static <K, V> HashSpec<K, V> of(String name, Codec<K> key, Codec<V> value, int capacity) {
        return keyed(MapLocation.named(name), key, value, capacity);
    }

    /**
     * A hash map in the file at {@code path} (shm backend), whatever its name.
     *
     * @param path     the map's file
     * @param key      the codec of the keys
     * @param value    the codec of the values
     * @param capacity the most entries the map holds
     * @param <K>      the Java type of a key
     * @param <V>      the Java type of a value
     * @return the spec
     * @throws IllegalArgumentException if capacity is not positive, or a key, a value or the map is larger than a
     *                                  map may hold
     */
    public static <K, V> HashSpec<K, V> of(Path path, Codec<K> key, Codec<V> value, int capacity) {
        return keyed(MapLocation.file(path), key, value, capacity);
    }

    /**
     * A spec that opens the kernel hash map pinned at {@code pin} (bpf backend), made by any program, with keys and
     * values of these codecs; the capacity is the map's own. The first open adopts the map, making its sidecar.
     *
     * @param pin   the pin's path in the bpf file system
     * @param key   the codec of the keys, whose size must be the kernel map's key size
     * @param value the codec of the values, whose size must be the kernel map's value size
     * @param <K>   the Java type of a key
     * @param <V>   the Java type of a value
     * @return the spec
     * @throws IllegalArgumentException if the pin's name is not a map name
     */
    public static <K, V> HashSpec<K, V> pinned(Path pin, Codec<K> key, Codec<V> value) {
        MapLocation at = MapLocation.pinned(pin);
        Objects.requireNonNull(value, "codec");
        return checkKey(new HashSpec<>(at, Objects.requireNonNull(key, "key codec"), value, 0, 0, 0, false, false));
    }

    private static <K, V> HashSpec<K, V> keyed(MapLocation at, Codec<K> key, Codec<V> value, int capacity) {
        SpecRules.checkFits(at.name(), value, SpecRules.checkEntries(capacity));
        Objects.requireNonNull(key, "key codec");
        return checkKey(new HashSpec<>(at, key, value, capacity, 0, 0, false, false));
    }

    private static <K, V> HashSpec<K, V> checkKey(HashSpec<K, V> spec) {
        String problem = Limits.sizeProblem("key", spec.key.size());
        if (problem == null) problem = Limits.schemaTextProblem(spec.key.schema().toString(), spec.value.schema().toString());
        if (problem != null) throw new IllegalArgumentException("map '" + spec.name() + "': " + problem);
        return spec;
    }

    @Override
    HashSpec<K, V> at(MapLocation l) {
        return new HashSpec<>(l, key, value, capacity, segments, changelogCapacity, lru, spinLock, perCpu);
    }

    @Override
    public MapType type() {
        return MapType.HASH;
    }

    /**
     * The same spec with {@code segments} segments (shm) or lock stripes (bpf), each with its own lock. An existing
     * map must have as many.
     *
     * @param segments the number of segments (or stripes), at most the capacity
     * @return the changed copy
     * @throws IllegalArgumentException if segments is less than 1
     */
    public HashSpec<K, V> segments(int segments) {
        SpecRules.checkStripes(segments);
        int s = capacity > 0 ? Math.min(segments, capacity) : segments;
        return new HashSpec<>(location, key, value, capacity, s, changelogCapacity, lru, spinLock, perCpu);
    }

    /**
     * The same spec with room for {@code capacity} changes in the change log that subscribers read. Default 4096.
     *
     * @param capacity the number of changes the log keeps
     * @return the changed copy
     * @throws IllegalArgumentException if capacity is not a power of two of at least 16
     */
    public HashSpec<K, V> changelogCapacity(int capacity) {
        return new HashSpec<>(location, key, value, this.capacity, segments, SpecRules.checkChangelog(capacity), lru,
                spinLock, perCpu);
    }

    /**
     * The same spec evicting the least recently used entry when full ({@code BPF_MAP_TYPE_LRU_HASH}; bpf only).
     *
     * @param lru true for an LRU map
     * @return the changed copy
     */
    public HashSpec<K, V> lru(boolean lru) {
        return new HashSpec<>(location, key, value, capacity, segments, changelogCapacity, lru, spinLock, perCpu);
    }

    /**
     * The same spec whose kernel values start with a {@code struct bpf_spin_lock}, copied with {@code BPF_F_LOCK}
     * (bpf only).
     *
     * @param spinLock true for values with a {@code bpf_spin_lock}
     * @return the changed copy
     */
    public HashSpec<K, V> spinLock(boolean spinLock) {
        return new HashSpec<>(location, key, value, capacity, segments, changelogCapacity, lru, spinLock, perCpu);
    }

    /**
     * The same spec for a {@code BPF_MAP_TYPE_PERCPU_HASH} (with {@link #lru}: {@code LRU_PERCPU_HASH}; bpf only): each
     * key holds one value per possible CPU. {@link SharedHashMap#get} returns the sum of the CPUs' values,
     * {@link SharedHashMap#getPerCpu} each of them, and a write sets every CPU's value. Not with {@link #spinLock}.
     *
     * @param perCpu true for a per-CPU hash map
     * @return the changed copy
     */
    public HashSpec<K, V> perCpu(boolean perCpu) {
        return new HashSpec<>(location, key, value, capacity, segments, changelogCapacity, lru, spinLock, perCpu);
    }

    /** {@return true for a spec of a per-CPU hash map ({@link #perCpu(boolean)})} */
    public boolean perCpu() {
        return perCpu;
    }

    /** {@return the codec of the keys} */
    public Codec<K> keyCodec() {
        return key;
    }

    /** {@return the codec of the values} */
    public Codec<V> valueCodec() {
        return value;
    }

    /** {@return the number of entries the map holds; 0 for a spec that takes it from a pinned map} */
    public int capacity() {
        return capacity;
    }

    /** {@return the number of segments (lock stripes)} */
    public int segments() {
        return segments > 0 ? segments : HashLayout.defaultSegments(capacity);
    }

    /** {@return true for a kernel LRU hash map} */
    public boolean lru() {
        return lru;
    }

    /** {@return true when the kernel values start with a {@code bpf_spin_lock}} */
    public boolean spinLock() {
        return spinLock;
    }

    Blueprint blueprint() {
        return location.blueprint(MapType.HASH, value, key, capacity, segments, HashLayout.defaultSegments(capacity),
                changelogCapacity, lru, spinLock, perCpu, false);
    }

    @Override
    public String toString() {
        return blueprint().toString();
    }
}
