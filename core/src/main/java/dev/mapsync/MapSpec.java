package dev.mapsync;

import dev.mapsync.internal.store.Header;
import dev.mapsync.internal.store.Limits;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The blueprint of a map: what it is called, where it lives, what its values are and how many there are.
 * A spec is immutable; each {@code withX}-style method returns a changed copy. Create, open or open-or-create
 * a map from it with the handle of its type: {@link SharedArray} for {@link #array arrays}, {@link SharedRing} for
 * {@link #ring rings}, {@link SharedQueue} for {@link #queue queues} (rings of typed values) and
 * {@link SharedBarrier} for {@link #barrier barriers}.
 *
 * <pre>{@code
 * record Account(long id, long balance, @Chars(16) String owner) {}
 * MapSpec<Account> spec = MapSpec.array("accounts", Account.class, 1024).mode(0660);
 * }</pre>
 *
 * <p>Opening checks the existing map against the spec, field by field, and refuses a mismatch with an
 * {@link IncompatibleMapException} that names the field.
 *
 * <p>A hash map's blueprint is a {@link HashSpec}, which adds the key codec to a spec like this one (its
 * {@link HashSpec#mapSpec()}, which is what {@link SharedMaps#info} and {@link SharedMaps#delete} take).
 *
 * <p>A map on the {@link Backend#BPF bpf} backend is a kernel array map pinned in the bpf file system, with a
 * sidecar file for its header and control region at {@link #file()}, the place an shm map of the same name would
 * have. Maps mapsync creates are pinned at {@code /sys/fs/bpf/mapsync/<name>}. A map pinned anywhere else (made
 * by bpftool or a libbpf program) is opened with {@link #pinned} or {@link #existingPin}; the first open adopts
 * it, making its sidecar.
 *
 * @param <V> the Java type of a value
 */
public final class MapSpec<V> {
    /** Names are 1 to 128 of {@code A-Z a-z 0-9 _ -}, not starting with {@code -}: no folder can be escaped. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_-]{0,127}");

    /** The environment variable that moves the default folder. */
    public static final String DIR_ENV = "MAPSYNC_DIR";
    /**
     * Root's default folder of shm maps and bpf sidecars; every other user's is this path followed by {@code -} and
     * the user's id ({@link #defaultDirOf}).
     */
    public static final Path DEFAULT_DIR = Path.of("/dev/shm/mapsync");
    /** The default permission bits of a new map file or pin. */
    public static final int DEFAULT_MODE = 0600;
    /** How long an opener waits for a map's creator to finish it, unless told otherwise. */
    public static final Duration DEFAULT_OPEN_TIMEOUT = Duration.ofSeconds(5);

    /** How long a lock (or a consistent read behind a live writer) waits before it gives up, unless told otherwise. */
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(30);

    // Not final only so that copy() and the withers can fill a new spec; a spec never changes once returned.
    private MapType type;
    private String name;
    private Path path;
    private Path dir;
    private Codec<V> codec;
    /** The key codec of a hash map; null for arrays (their key is the u32 index) and for specs that adopt a map. */
    private Codec<?> keyCodec;
    private int entries;
    private Backend backend = Backend.SHM;
    private int mode = DEFAULT_MODE;
    private int lockStripes;
    private int changelogCapacity;
    private Duration openTimeout = DEFAULT_OPEN_TIMEOUT;
    private Duration lockTimeout = DEFAULT_LOCK_TIMEOUT;
    private Path pin;

    private MapSpec(MapType type, String name, Path path, Codec<V> codec, int entries) {
        this.type = type;
        this.name = name;
        this.path = path;
        this.codec = codec;
        this.entries = entries;
    }

    /** A copy to change before returning it from a wither. */
    private MapSpec<V> copy() {
        MapSpec<V> c = new MapSpec<>(type, name, path, codec, entries);
        c.keyCodec = keyCodec;
        c.dir = dir;
        c.backend = backend;
        c.mode = mode;
        c.lockStripes = lockStripes;
        c.changelogCapacity = changelogCapacity;
        c.openTimeout = openTimeout;
        c.lockTimeout = lockTimeout;
        c.pin = pin;
        return c;
    }

    /**
     * An array map called {@code name} (in the default folder, or in {@link #dir}) with {@code entries} values.
     *
     * @throws IllegalArgumentException if the name is not 1 to 128 of {@code A-Z a-z 0-9 _ -}, entries is not positive,
     *                                  or the values are larger than a map may hold (a value of more than 2^31 - 9
     *                                  bytes, or more than 64 TiB in all)
     */
    public static <V> MapSpec<V> array(String name, Codec<V> codec, int entries) {
        checkName(name);
        return new MapSpec<>(MapType.ARRAY, name, null, checkFits(name, codec, checkEntries(entries)), entries);
    }

    /**
     * A spec that opens an existing map called {@code name} as it is: the value schema, entry count and backend
     * details come from the map's own header. Such a spec cannot create a map.
     */
    public static MapSpec<Object> existing(String name) {
        checkName(name);
        return new MapSpec<>(null, name, null, null, 0);
    }

    /** {@link #existing(String)} for the map file at {@code path}. */
    public static MapSpec<Object> existing(Path path) {
        Path p = Objects.requireNonNull(path, "path").toAbsolutePath().normalize();
        String fileName = p.getFileName() == null ? "" : p.getFileName().toString();
        return new MapSpec<>(null, fileName, p, null, 0);
    }

    /**
     * A spec that opens the kernel map pinned at {@code pin} (bpf backend), made by mapsync or by any other program
     * (bpftool, libbpf), with values of {@code codec}; the entry count is the map's own. The map must be a
     * {@code BPF_MAP_TYPE_ARRAY} whose value size is the codec's. The first open adopts the map: it makes the
     * map's sidecar in {@link #dir}, named after the pin. Such a spec cannot create a map.
     *
     * <pre>{@code
     * // bpftool map create /sys/fs/bpf/hits type array key 4 value 8 entries 16 name hits flags 1024
     * try (var hits = SharedArray.open(MapSpec.pinned(Path.of("/sys/fs/bpf/hits"), Codec.i64()))) { ... }
     * }</pre>
     *
     * @throws IllegalArgumentException if the pin's name is not a map name (1 to 128 of {@code A-Z a-z 0-9 _ -}),
     *                                  since it also names the sidecar
     */
    public static <V> MapSpec<V> pinned(Path pin, Codec<V> codec) {
        Path p = checkPin(pin);
        MapSpec<V> spec = new MapSpec<>(MapType.ARRAY, p.getFileName().toString(), null, Objects.requireNonNull(codec, "codec"), 0);
        spec.backend = Backend.BPF;
        spec.pin = p;
        return spec;
    }

    /**
     * A spec that opens the kernel map pinned at {@code pin} as it is: the value schema comes from the map's BTF
     * (or from its sidecar, once adopted). A map without BTF, or whose BTF has no schema (a union, a pointer, a
     * packed struct), is refused with a message saying so; open it with {@link #pinned(Path, Codec)} instead.
     */
    public static MapSpec<Object> existingPin(Path pin) {
        Path p = checkPin(pin);
        MapSpec<Object> spec = new MapSpec<>(null, p.getFileName().toString(), null, null, 0);
        spec.backend = Backend.BPF;
        spec.pin = p;
        return spec;
    }

    private static Path checkPin(Path pin) {
        Path p = Objects.requireNonNull(pin, "pin").toAbsolutePath().normalize();
        String fileName = p.getFileName() == null ? "" : p.getFileName().toString();
        if (!NAME.matcher(fileName).matches()) {
            throw new IllegalArgumentException("pin " + p + ": its name '" + fileName + "' also names the map and its"
                    + " sidecar, so it must be 1 to 128 of A-Z a-z 0-9 _ - (not starting with '-')");
        }
        return p;
    }

    /** This spec as the blueprint of a hash map with keys of {@code key} (see {@link HashSpec}). */
    MapSpec<V> keyed(Codec<?> key) {
        Objects.requireNonNull(key, "key codec");
        String problem = Limits.sizeProblem("key", key.size());
        if (problem == null && codec != null) problem = Limits.schemaTextProblem(key.schema().toString(), codec.schema().toString());
        if (problem != null) throw new IllegalArgumentException("map '" + name + "': " + problem);
        MapSpec<V> c = copy();
        c.type = MapType.HASH;
        c.keyCodec = key;
        if (c.lockStripes > 0 && entries > 0) c.lockStripes = Math.min(c.lockStripes, entries);
        return c;
    }

    /**
     * True for specs made by {@link #existing} and {@link #existingPin}: they adopt the map's own type, schema and
     * size.
     */
    public boolean adoptsExisting() {
        return type == null;
    }

    /** The pin path given to {@link #pinned} or {@link #existingPin}, if the spec was made from one. */
    public Optional<Path> pinPath() {
        return Optional.ofNullable(pin);
    }

    /**
     * A ring called {@code name} of {@code capacity} bytes holding records of any length (byte strings), in the BPF
     * ring buffer's record format: many producers, one consumer ({@link SharedRing}). On the {@link Backend#BPF bpf}
     * backend it is a kernel {@code BPF_MAP_TYPE_RINGBUF} that BPF programs produce into and this process
     * consumes from.
     *
     * @param capacity bytes of records, a power of two from one page (4096) to 1 GiB; a record takes its length
     *                 plus an 8-byte header, rounded up to 8
     * @throws IllegalArgumentException if the name or the capacity is not valid
     */
    public static MapSpec<byte[]> ring(String name, int capacity) {
        checkName(name);
        return new MapSpec<>(MapType.RING, name, null, null, checkCapacity(capacity));
    }

    /**
     * A queue called {@code name}: a ring of {@code capacity} bytes whose records are values of {@code codec}
     * ({@link SharedQueue}). Each value takes {@code round_up(8 + codec.size(), 8)} bytes of the ring.
     *
     * @throws IllegalArgumentException if the name or the capacity is not valid, or a value does not fit the ring
     */
    public static <T> MapSpec<T> queue(String name, Codec<T> codec, int capacity) {
        checkName(name);
        Objects.requireNonNull(codec, "codec");
        checkCapacity(capacity);
        if (codec.size() > dev.mapsync.internal.ring.RingLayout.maxPayload(capacity)) {
            throw new IllegalArgumentException("a value of " + codec.schema() + " is " + codec.size()
                    + " bytes; a ring of " + capacity + " bytes holds records of at most "
                    + dev.mapsync.internal.ring.RingLayout.maxPayload(capacity));
        }
        String problem = Limits.schemaTextProblem("", codec.schema().toString());
        if (problem != null) throw new IllegalArgumentException("queue '" + name + "': " + problem);
        return new MapSpec<>(MapType.RING, name, null, codec, capacity);
    }

    /**
     * A queue of records laid out as the C struct of the record's components ({@link Codec#record}).
     *
     * @throws IllegalArgumentException as {@link #queue(String, Codec, int)} does, or as {@link Codec#record} does
     *                                  (such as for a record whose module does not open its package to mapsync)
     */
    public static <R extends Record> MapSpec<R> queue(String name, Class<R> recordType, int capacity) {
        return queue(name, Codec.record(recordType), capacity);
    }

    /**
     * A spec that opens the kernel ring buffer ({@code BPF_MAP_TYPE_RINGBUF}) pinned at {@code pin}, made by
     * mapsync or by any other program (bpftool, libbpf), to consume its records ({@link SharedRing}). The first open
     * adopts it, making its sidecar in {@link #dir}, named after the pin. Such a spec cannot create a map.
     *
     * @throws IllegalArgumentException if the pin's name is not a map name
     */
    public static MapSpec<byte[]> pinnedRing(Path pin) {
        Path p = checkPin(pin);
        MapSpec<byte[]> spec = new MapSpec<>(MapType.RING, p.getFileName().toString(), null, null, 0);
        spec.backend = Backend.BPF;
        spec.pin = p;
        return spec;
    }

    /**
     * A barrier called {@code name} that {@code parties} processes meet at, generation after generation
     * ({@link SharedBarrier}). Barriers live in shared memory only.
     *
     * @throws IllegalArgumentException if the name is not valid or parties is not in 1..1024
     */
    public static MapSpec<Void> barrier(String name, int parties) {
        checkName(name);
        int max = dev.mapsync.internal.barrier.BarrierLayout.MAX_PARTIES;
        if (parties < 1 || parties > max) {
            throw new IllegalArgumentException("a barrier has 1 to " + max + " parties, not " + parties);
        }
        return new MapSpec<>(MapType.BARRIER, name, null, null, parties);
    }

    private static int checkCapacity(int capacity) {
        String problem = dev.mapsync.internal.ring.RingLayout.capacityProblem(capacity);
        if (problem != null) throw new IllegalArgumentException(problem);
        return capacity;
    }

    /**
     * An array map of records, laid out as the C struct of the record's components ({@link Codec#record}).
     *
     * @throws IllegalArgumentException as {@link #array(String, Codec, int)} does, or as {@link Codec#record} does
     *                                  (such as for a record whose module does not open its package to mapsync)
     */
    public static <R extends Record> MapSpec<R> array(String name, Class<R> recordType, int entries) {
        return array(name, Codec.record(recordType), entries);
    }

    /** An array map in the file at {@code path} (shm backend), whatever its name. */
    public static <V> MapSpec<V> array(Path path, Codec<V> codec, int entries) {
        Path p = Objects.requireNonNull(path, "path").toAbsolutePath().normalize();
        String fileName = p.getFileName() == null ? "" : p.getFileName().toString();
        return new MapSpec<>(MapType.ARRAY, fileName, p, checkFits(fileName, codec, checkEntries(entries)), entries);
    }

    /** The same spec with another backend. */
    public MapSpec<V> backend(Backend backend) {
        Objects.requireNonNull(backend, "backend");
        if (backend == Backend.BPF && path != null) {
            throw new IllegalArgumentException("a map given by file path is an shm map; name a bpf map instead");
        }
        if (backend != Backend.BPF && pin != null) {
            throw new IllegalArgumentException("a map given by pin path is a bpf map");
        }
        if (backend == Backend.BPF && type == MapType.BARRIER) {
            throw new IllegalArgumentException("a barrier lives in shared memory only: its waiters sleep on futex words,"
                    + " which the kernel refuses on BPF map memory");
        }
        MapSpec<V> c = copy();
        c.backend = backend;
        return c;
    }

    /** The same spec in another folder (shm backend; bpf sidecars also go there). */
    public MapSpec<V> dir(Path dir) {
        Objects.requireNonNull(dir, "dir");
        if (path != null) throw new IllegalArgumentException("this spec names a file path; its folder is fixed");
        MapSpec<V> c = copy();
        c.dir = dir.toAbsolutePath().normalize();
        return c;
    }

    /**
     * The same spec with other permission bits for a new map's file (and pin), such as {@code 0660} to share with
     * the group. The bits are set exactly, whatever the umask.
     */
    public MapSpec<V> mode(int mode) {
        if ((mode & ~0777) != 0) throw new IllegalArgumentException("mode " + Integer.toOctalString(mode) + " is not in 0..0777");
        MapSpec<V> c = copy();
        c.mode = mode;
        return c;
    }

    /**
     * The same spec with {@code stripes} entry locks: entry {@code i} is guarded by stripe {@code i % stripes}. Equal to
     * the entry count, every entry has its own lock. Default: one per entry up to 4096.
     */
    public MapSpec<V> lockStripes(int stripes) {
        if (stripes < 1) throw new IllegalArgumentException("lock stripes must be at least 1, not " + stripes);
        // a spec that takes its size from the map keeps the count; the map's entry count caps it on adoption
        MapSpec<V> c = copy();
        c.lockStripes = entries > 0 ? Math.min(stripes, entries) : stripes;
        return c;
    }

    /** The same spec with room for {@code capacity} changes in the change log that subscribers read. Default 4096. */
    public MapSpec<V> changelogCapacity(int capacity) {
        if (capacity < 16 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("changelog capacity must be a power of two of at least 16, not " + capacity);
        }
        MapSpec<V> c = copy();
        c.changelogCapacity = capacity;
        return c;
    }

    /** The same spec with another bound on how long an opener waits for a map's creator to finish it. */
    public MapSpec<V> openTimeout(Duration timeout) {
        if (timeout.isNegative()) throw new IllegalArgumentException("negative timeout");
        MapSpec<V> c = copy();
        c.openTimeout = timeout;
        return c;
    }

    /**
     * The same spec with another default bound on lock waits (default 30 s). Every wait for a lock ends by this
     * time at the latest, with a {@link LockTimeoutException} naming the owner.
     */
    public MapSpec<V> lockTimeout(Duration timeout) {
        if (timeout.isNegative()) throw new IllegalArgumentException("negative timeout");
        MapSpec<V> c = copy();
        c.lockTimeout = timeout;
        return c;
    }

    /** The map type, or null for a spec that adopts an existing map of whatever type. */
    public MapType type() {
        return type;
    }

    /** The map's name: the file name for specs made from a path. */
    public String name() {
        return name;
    }

    /** The explicit file path, if the spec was made from one. */
    public Optional<Path> path() {
        return Optional.ofNullable(path);
    }

    /**
     * The folder: the explicit one, else the {@link #defaultDir() default folder}. A bpf map's sidecar that is not in
     * your default folder is looked for in the default folder of the user who owns the map's pin (where that user's
     * mapsync made it), so that a map root made can be opened by name by every user its pin lets in.
     */
    public Path dir() {
        if (path != null) return path.getParent();
        if (dir != null) return dir;
        if (backend == Backend.BPF) return dev.mapsync.internal.store.Sidecars.folder(name, pin);
        return defaultDir();
    }

    /**
     * The default folder: {@code $MAPSYNC_DIR} when set, else {@link #defaultDirOf the default folder of the
     * effective user}.
     */
    public static Path defaultDir() {
        String env = System.getenv(DIR_ENV);
        if (env != null && !env.isBlank()) return Path.of(env).toAbsolutePath().normalize();
        return defaultDirOf(dev.mapsync.internal.sys.LibC.geteuid());
    }

    /**
     * The default folder of user {@code uid} (when {@code MAPSYNC_DIR} is not set): {@code /dev/shm/mapsync} for root,
     * {@code /dev/shm/mapsync-<uid>} for every other user. One folder per user, made with mode 0755, so that no map
     * anyone opens by name sits in a folder another user can write; such a folder is trusted only when it is owned
     * by its user or by root, since anyone may make it before its user does.
     */
    public static Path defaultDirOf(int uid) {
        return uid == 0 ? DEFAULT_DIR : Path.of(DEFAULT_DIR + "-" + Integer.toUnsignedString(uid));
    }

    /** Where the map's file (the sidecar, for bpf maps: {@code <dir>/<name>}) is. */
    public Path file() {
        return path != null ? path : dir().resolve(name);
    }

    /** The value codec, or null for a spec that adopts an existing map, a ring of records of any length, or a barrier. */
    public Codec<V> codec() {
        return codec;
    }

    /**
     * The key schema: {@code u32} (the index) for arrays, the key codec's schema for hash maps, or null for a spec that
     * adopts an existing map (and for rings and barriers, which have no keys).
     */
    public Schema keySchema() {
        if (keyCodec != null) return keyCodec.schema();
        return type == MapType.ARRAY ? Schema.scalar(Schema.Kind.U32) : null;
    }

    /** The value schema, or null when {@link #codec()} is. */
    public Schema valueSchema() {
        return codec == null ? null : codec.schema();
    }

    /**
     * The number of entries of an array, the capacity in bytes of a ring, or the number of parties of a barrier;
     * 0 for a spec that takes it from an existing map ({@link #existing}, {@link #pinned}, {@link #pinnedRing}).
     */
    public int entries() {
        return entries;
    }

    /** True when {@link #lockStripes(int)} was called: an existing map must then have that many stripes. */
    public boolean hasExplicitLockStripes() {
        return lockStripes > 0;
    }

    /** True when {@link #changelogCapacity(int)} was called. */
    public boolean hasExplicitChangelogCapacity() {
        return changelogCapacity > 0;
    }

    public Backend backend() {
        return backend;
    }

    /** Permission bits of a new map, such as {@code 0600}. */
    public int mode() {
        return mode;
    }

    /** The number of entry locks (stripes); for hash maps, the number of segments. */
    public int lockStripes() {
        if (lockStripes > 0) return lockStripes;
        return type == MapType.HASH ? dev.mapsync.internal.hash.HashLayout.defaultSegments(entries)
                : dev.mapsync.internal.store.ControlLayout.defaultStripes(entries);
    }

    public int changelogCapacity() {
        return changelogCapacity > 0 ? changelogCapacity : dev.mapsync.internal.store.ControlLayout.DEFAULT_CHANGELOG;
    }

    public Duration openTimeout() {
        return openTimeout;
    }

    /** The default lock timeout of handles opened with this spec. */
    public Duration lockTimeout() {
        return lockTimeout;
    }

    /**
     * Checks a map name.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static String checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid map name '" + name + "': use 1 to 128 of A-Z a-z 0-9 _ -"
                    + " (not starting with '-'); '/', '.' and '..' are refused so that no name leaves its folder");
        }
        return name;
    }

    private static int checkEntries(int entries) {
        if (entries < 1) throw new IllegalArgumentException("entries must be at least 1, not " + entries);
        return entries;
    }

    /**
     * Refuses values, or so many of them, as no map may hold, when the spec is made rather than when a map is:
     * in long arithmetic, since a value near 2^31 bytes has a stride no int holds.
     */
    private static <V> Codec<V> checkFits(String name, Codec<V> codec, int entries) {
        Objects.requireNonNull(codec, "codec");
        String problem = Limits.sizeProblem("value", codec.size());
        if (problem == null) problem = Limits.lengthProblem(Header.stride(codec.size()) * entries);
        if (problem == null) problem = Limits.schemaTextProblem("", codec.schema().toString());
        if (problem != null) throw new IllegalArgumentException("map '" + name + "': " + problem);
        return codec;
    }

    @Override
    public String toString() {
        if (type == MapType.RING) {
            String what = codec == null ? "ring" : "queue of " + codec.schema();
            if (pin != null) return what + " pinned at " + pin;
            return what + " '" + name + "' (" + backend.name().toLowerCase(java.util.Locale.ROOT) + ", " + entries + " bytes)";
        }
        if (type == MapType.BARRIER) return "barrier '" + name + "' (" + entries + " parties)";
        if (pin != null && keyCodec == null) return (codec == null ? "existing map" : "map of " + codec.schema()) + " pinned at " + pin;
        if (pin != null) return "hash map of " + keyCodec.schema() + " -> " + codec.schema() + " pinned at " + pin;
        if (type == null) return "existing map '" + name + "' (" + backend.name().toLowerCase(java.util.Locale.ROOT) + ")";
        String geometry = keyCodec == null ? entries + " x " + codec.schema()
                : entries + " x " + keyCodec.schema() + " -> " + codec.schema();
        return type + " '" + name + "' (" + backend.name().toLowerCase(java.util.Locale.ROOT) + ", " + geometry + ")";
    }
}
