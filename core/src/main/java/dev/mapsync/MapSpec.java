package dev.mapsync;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The blueprint of a map: what it is called, where it lives, what its values are and how many there are.
 * A spec is immutable; each {@code withX}-style method returns a changed copy. Create, open or open-or-create
 * a map from it with {@link SharedArray}.
 *
 * <pre>{@code
 * record Account(long id, long balance, @Chars(16) String owner) {}
 * MapSpec<Account> spec = MapSpec.array("accounts", Account.class, 1024).mode(0660);
 * }</pre>
 *
 * <p>Opening checks the existing map against the spec, field by field, and refuses a mismatch with an
 * {@link IncompatibleMapException} that names the field.
 *
 * @param <V> the Java type of a value
 */
public final class MapSpec<V> {
    /** Names are 1 to 128 of {@code A-Z a-z 0-9 _ -}, not starting with {@code -}: no folder can be escaped. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_-]{0,127}");

    /** The environment variable that moves the default folder. */
    public static final String DIR_ENV = "MAPSYNC_DIR";
    /** The default folder of shm maps. */
    public static final Path DEFAULT_DIR = Path.of("/dev/shm/mapsync");
    /** The default permission bits of a new map file or pin. */
    public static final int DEFAULT_MODE = 0600;
    /** How long an opener waits for a map's creator to finish it, unless told otherwise. */
    public static final Duration DEFAULT_OPEN_TIMEOUT = Duration.ofSeconds(5);
    /** How long a lock (or a consistent read behind a live writer) waits before it gives up, unless told otherwise. */
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(30);

    private final MapType type;
    private final String name;
    private final Path path;
    private final Path dir;
    private final Codec<V> codec;
    private final int entries;
    private final Backend backend;
    private final int mode;
    private final int lockStripes;
    private final int changelogCapacity;
    private final Duration openTimeout;
    private final Duration lockTimeout;

    private MapSpec(MapType type, String name, Path path, Path dir, Codec<V> codec, int entries, Backend backend,
                    int mode, int lockStripes, int changelogCapacity, Duration openTimeout, Duration lockTimeout) {
        this.type = type;
        this.name = name;
        this.path = path;
        this.dir = dir;
        this.codec = codec;
        this.entries = entries;
        this.backend = backend;
        this.mode = mode;
        this.lockStripes = lockStripes;
        this.changelogCapacity = changelogCapacity;
        this.openTimeout = openTimeout;
        this.lockTimeout = lockTimeout;
    }

    /**
     * An array map called {@code name} (in the default folder, or in {@link #dir}) with {@code entries} values.
     *
     * @throws IllegalArgumentException if the name is not 1 to 128 of {@code A-Z a-z 0-9 _ -} or entries is not positive
     */
    public static <V> MapSpec<V> array(String name, Codec<V> codec, int entries) {
        checkName(name);
        return new MapSpec<>(MapType.ARRAY, name, null, null, Objects.requireNonNull(codec, "codec"),
                checkEntries(entries), Backend.SHM, DEFAULT_MODE, 0, 0, DEFAULT_OPEN_TIMEOUT, DEFAULT_LOCK_TIMEOUT);
    }

    /**
     * A spec that opens an existing map called {@code name} as it is: the value schema, entry count and backend
     * details come from the map's own header. Such a spec cannot create a map.
     */
    public static MapSpec<Object> existing(String name) {
        checkName(name);
        return new MapSpec<>(null, name, null, null, null, 0, Backend.SHM, DEFAULT_MODE, 0, 0, DEFAULT_OPEN_TIMEOUT, DEFAULT_LOCK_TIMEOUT);
    }

    /** {@link #existing(String)} for the map file at {@code path}. */
    public static MapSpec<Object> existing(Path path) {
        Path p = Objects.requireNonNull(path, "path").toAbsolutePath().normalize();
        String fileName = p.getFileName() == null ? "" : p.getFileName().toString();
        return new MapSpec<>(null, fileName, p, null, null, 0, Backend.SHM, DEFAULT_MODE, 0, 0, DEFAULT_OPEN_TIMEOUT, DEFAULT_LOCK_TIMEOUT);
    }

    /** True for specs made by {@link #existing}: they adopt the map's own schema and size. */
    public boolean adoptsExisting() {
        return codec == null;
    }

    /** An array map of records, laid out as the C struct of the record's components ({@link Codec#record}). */
    public static <R extends Record> MapSpec<R> array(String name, Class<R> recordType, int entries) {
        return array(name, Codec.record(recordType), entries);
    }

    /** An array map in the file at {@code path} (shm backend), whatever its name. */
    public static <V> MapSpec<V> array(Path path, Codec<V> codec, int entries) {
        Path p = Objects.requireNonNull(path, "path").toAbsolutePath().normalize();
        String fileName = p.getFileName() == null ? "" : p.getFileName().toString();
        return new MapSpec<>(MapType.ARRAY, fileName, p, null, Objects.requireNonNull(codec, "codec"),
                checkEntries(entries), Backend.SHM, DEFAULT_MODE, 0, 0, DEFAULT_OPEN_TIMEOUT, DEFAULT_LOCK_TIMEOUT);
    }

    /** The same spec with another backend. */
    public MapSpec<V> backend(Backend backend) {
        Objects.requireNonNull(backend, "backend");
        if (backend == Backend.BPF && path != null) {
            throw new IllegalArgumentException("a map given by file path is an shm map; name a bpf map instead");
        }
        return new MapSpec<>(type, name, path, dir, codec, entries, backend, mode, lockStripes, changelogCapacity, openTimeout, lockTimeout);
    }

    /** The same spec in another folder (shm backend; bpf sidecars also go there). */
    public MapSpec<V> dir(Path dir) {
        Objects.requireNonNull(dir, "dir");
        if (path != null) throw new IllegalArgumentException("this spec names a file path; its folder is fixed");
        return new MapSpec<>(type, name, null, dir.toAbsolutePath().normalize(), codec, entries, backend, mode,
                lockStripes, changelogCapacity, openTimeout, lockTimeout);
    }

    /**
     * The same spec with other permission bits for a new map's file (and pin), such as {@code 0660} to share with
     * the group. The bits are set exactly, whatever the umask.
     */
    public MapSpec<V> mode(int mode) {
        if ((mode & ~0777) != 0) throw new IllegalArgumentException("mode " + Integer.toOctalString(mode) + " is not in 0..0777");
        return new MapSpec<>(type, name, path, dir, codec, entries, backend, mode, lockStripes, changelogCapacity, openTimeout, lockTimeout);
    }

    /**
     * The same spec with {@code stripes} entry locks: entry {@code i} is guarded by stripe {@code i % stripes}. Equal to
     * the entry count, every entry has its own lock. Default: one per entry up to 4096.
     */
    public MapSpec<V> lockStripes(int stripes) {
        if (stripes < 1) throw new IllegalArgumentException("lock stripes must be at least 1, not " + stripes);
        return new MapSpec<>(type, name, path, dir, codec, entries, backend, mode, Math.min(stripes, entries),
                changelogCapacity, openTimeout, lockTimeout);
    }

    /** The same spec with room for {@code capacity} changes in the change log that subscribers read. Default 4096. */
    public MapSpec<V> changelogCapacity(int capacity) {
        if (capacity < 16 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("changelog capacity must be a power of two of at least 16, not " + capacity);
        }
        return new MapSpec<>(type, name, path, dir, codec, entries, backend, mode, lockStripes, capacity, openTimeout, lockTimeout);
    }

    /** The same spec with another bound on how long an opener waits for a map's creator to finish it. */
    public MapSpec<V> openTimeout(Duration timeout) {
        if (timeout.isNegative()) throw new IllegalArgumentException("negative timeout");
        return new MapSpec<>(type, name, path, dir, codec, entries, backend, mode, lockStripes, changelogCapacity, timeout, lockTimeout);
    }

    /** The map type, or null for a spec that adopts an existing map. */
    /**
     * The same spec with another default bound on lock waits (default 30 s). Every wait for a lock ends by this
     * time at the latest, with a {@link LockTimeoutException} naming the owner.
     */
    public MapSpec<V> lockTimeout(Duration timeout) {
        if (timeout.isNegative()) throw new IllegalArgumentException("negative timeout");
        return new MapSpec<>(type, name, path, dir, codec, entries, backend, mode, lockStripes, changelogCapacity,
                openTimeout, timeout);
    }

    /** The default lock timeout of handles opened with this spec. */
    public Duration lockTimeout() {
        return lockTimeout;
    }

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

    /** The folder: the explicit one, else {@code $MAPSYNC_DIR}, else {@code /dev/shm/mapsync}. */
    public Path dir() {
        if (path != null) return path.getParent();
        if (dir != null) return dir;
        return defaultDir();
    }

    /** {@code $MAPSYNC_DIR} when set, else {@code /dev/shm/mapsync}. */
    public static Path defaultDir() {
        String env = System.getenv(DIR_ENV);
        return env == null || env.isBlank() ? DEFAULT_DIR : Path.of(env).toAbsolutePath().normalize();
    }

    /** Where the map's file (the sidecar, for bpf maps) is. */
    public Path file() {
        return path != null ? path : dir().resolve(name);
    }

    /** The value codec, or null for a spec that adopts an existing map. */
    public Codec<V> codec() {
        return codec;
    }

    /** The value schema, or null for a spec that adopts an existing map. */
    public Schema valueSchema() {
        return codec == null ? null : codec.schema();
    }

    /** The number of entries, or 0 for a spec that adopts an existing map. */
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

    /** The number of entry locks (stripes). */
    public int lockStripes() {
        return lockStripes > 0 ? lockStripes : dev.mapsync.internal.layout.ControlLayout.defaultStripes(entries);
    }

    public int changelogCapacity() {
        return changelogCapacity > 0 ? changelogCapacity : dev.mapsync.internal.layout.ControlLayout.DEFAULT_CHANGELOG;
    }

    public Duration openTimeout() {
        return openTimeout;
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

    @Override
    public String toString() {
        if (codec == null) return "existing map '" + name + "' (" + backend.name().toLowerCase(java.util.Locale.ROOT) + ")";
        return type + " '" + name + "' (" + backend.name().toLowerCase(java.util.Locale.ROOT) + ", " + entries
                + " x " + codec.schema() + ")";
    }
}
