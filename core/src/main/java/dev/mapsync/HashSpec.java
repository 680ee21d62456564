package dev.mapsync;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The blueprint of a hash map: its name (or file, or pin), the codecs of its keys and values, its capacity and
 * backend. An immutable value; every {@code with}-style method returns a new spec. Open or create the map from it
 * with {@link SharedHashMap}.
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
 * {@code BPF_MAP_TYPE_LRU_HASH}) with {@code max_entries} = capacity, pinned at {@code /sys/fs/bpf/mapsync/<name>},
 * reached through {@code bpf(2)}: kernel hash maps cannot be mapped into memory.
 *
 * @param <K> the Java type of a key
 * @param <V> the Java type of a value
 */
public final class HashSpec<K, V> {
    private final MapSpec<V> map;
    private final Codec<K> key;
    private final boolean lru;
    private final boolean spinLock;

    private HashSpec(MapSpec<V> map, Codec<K> key, boolean lru, boolean spinLock) {
        this.map = map;
        this.key = key;
        this.lru = lru;
        this.spinLock = spinLock;
    }

    /**
     * A hash map called {@code name} (in the default folder, or in {@link #dir}) that holds up to {@code capacity}
     * entries.
     *
     * @throws IllegalArgumentException if the name is not 1 to 128 of {@code A-Z a-z 0-9 _ -}, the capacity is not
     *                                  positive, or a key or value is larger than a map may hold (2^31 - 9 bytes)
     */
    public static <K, V> HashSpec<K, V> of(String name, Codec<K> key, Codec<V> value, int capacity) {
        Objects.requireNonNull(key, "key codec");
        return new HashSpec<>(MapSpec.array(name, value, capacity).keyed(key), key, false, false);
    }

    /** A hash map in the file at {@code path} (shm backend), whatever its name. */
    public static <K, V> HashSpec<K, V> of(Path path, Codec<K> key, Codec<V> value, int capacity) {
        Objects.requireNonNull(key, "key codec");
        return new HashSpec<>(MapSpec.array(path, value, capacity).keyed(key), key, false, false);
    }

    /**
     * A spec that opens an existing hash map called {@code name} as it is: key and value schemas, capacity and backend
     * come from its header; keys and values are then {@link Codec#of(Schema) dynamic} ({@code Map<String, Object>}
     * for structs). Such a spec cannot create a map.
     */
    public static HashSpec<Object, Object> existing(String name) {
        return new HashSpec<>(MapSpec.existing(name), null, false, false);
    }

    /** {@link #existing(String)} for the map file (or bpf sidecar) at {@code path}. */
    public static HashSpec<Object, Object> existing(Path path) {
        return new HashSpec<>(MapSpec.existing(path), null, false, false);
    }

    /**
     * A spec that opens the kernel hash map pinned at {@code pin} (bpf backend), made by mapsync or any other program
     * (bpftool, libbpf), with keys and values of the given codecs; the capacity is the map's {@code max_entries}. The
     * first open adopts it, making its sidecar in {@link #dir} named after the pin. Such a spec cannot create a map.
     */
    public static <K, V> HashSpec<K, V> pinned(Path pin, Codec<K> key, Codec<V> value) {
        Objects.requireNonNull(key, "key codec");
        return new HashSpec<>(MapSpec.pinned(pin, value).keyed(key), key, false, false);
    }

    /**
     * A spec that opens the kernel hash map pinned at {@code pin} as it is: key and value schemas come from the map's
     * BTF (a value struct whose first member is a {@code struct bpf_spin_lock} is read with {@code BPF_F_LOCK}).
     */
    public static HashSpec<Object, Object> existingPin(Path pin) {
        return new HashSpec<>(MapSpec.existingPin(pin), null, false, false);
    }

    private HashSpec<K, V> with(MapSpec<V> m) {
        return new HashSpec<>(m, key, lru, spinLock);
    }

    /** The same spec on another backend. */
    public HashSpec<K, V> backend(Backend backend) {
        return with(map.backend(backend));
    }

    /** The same spec in another folder (shm maps; bpf sidecars also go there). */
    public HashSpec<K, V> dir(Path dir) {
        return with(map.dir(dir));
    }

    /** The same spec with other permission bits for a new map's file (and pin). */
    public HashSpec<K, V> mode(int mode) {
        return with(map.mode(mode));
    }

    /**
     * The same spec with {@code segments} segments: each has its own lock, so writers of different segments never
     * wait for each other. Default: one per 128 entries of capacity, at most 4096. On the bpf backend these are the
     * lock stripes that make read-modify-write operations atomic among mapsync processes.
     */
    public HashSpec<K, V> segments(int segments) {
        return with(map.lockStripes(segments));
    }

    /** The same spec with room for {@code capacity} changes in the change log. Default 4096. */
    public HashSpec<K, V> changelogCapacity(int capacity) {
        return with(map.changelogCapacity(capacity));
    }

    /** The same spec with another bound on how long an opener waits for a map's creator to finish it. */
    public HashSpec<K, V> openTimeout(Duration timeout) {
        return with(map.openTimeout(timeout));
    }

    /** The same spec with another bound on lock waits (default 30 s). */
    public HashSpec<K, V> lockTimeout(Duration timeout) {
        return with(map.lockTimeout(timeout));
    }

    /**
     * The same spec as a {@code BPF_MAP_TYPE_LRU_HASH} (bpf backend only): when the map is full, the kernel evicts the
     * least recently used entries to make room instead of refusing the insert.
     */
    public HashSpec<K, V> lru(boolean lru) {
        return new HashSpec<>(map, key, lru, spinLock);
    }

    /**
     * The same spec with a {@code struct bpf_spin_lock} in front of every value (bpf backend only): the kernel value
     * is {@code struct { struct bpf_spin_lock lock; V value; }}, described in BTF, and every lookup and update passes
     * {@code BPF_F_LOCK}, so a value is copied whole under the same lock BPF programs take with
     * {@code bpf_spin_lock(&v->lock)}. The lock itself is not part of the Java value.
     */
    public HashSpec<K, V> spinLock(boolean spinLock) {
        return new HashSpec<>(map, key, lru, spinLock);
    }

    /** The untyped-key blueprint this spec wraps: what {@link SharedMaps#info} and {@link SharedMaps#delete} take. */
    public MapSpec<V> mapSpec() {
        return map;
    }

    /** The key codec, or null for a spec that adopts an existing map. */
    public Codec<K> keyCodec() {
        return key;
    }

    /** The value codec, or null for a spec that adopts an existing map. */
    public Codec<V> valueCodec() {
        return map.codec();
    }

    /** The capacity, or 0 for a spec that takes it from an existing map. */
    public int capacity() {
        return map.entries();
    }

    public String name() {
        return map.name();
    }

    public Backend backend() {
        return map.backend();
    }

    /** True for {@code BPF_MAP_TYPE_LRU_HASH}. */
    public boolean lru() {
        return lru;
    }

    /** True when values carry a {@code bpf_spin_lock} and are copied with {@code BPF_F_LOCK}. */
    public boolean spinLock() {
        return spinLock;
    }

    /** True for specs made by {@link #existing} and {@link #existingPin}. */
    public boolean adoptsExisting() {
        return map.adoptsExisting();
    }

    @Override
    public String toString() {
        return map + (lru ? ", lru" : "") + (spinLock ? ", spin lock" : "");
    }
}
