package dev.mapsync;

import dev.mapsync.internal.barrier.BarrierLayout;
import dev.mapsync.internal.counter.CounterLayout;
import dev.mapsync.internal.ring.RingLayout;
import dev.mapsync.internal.store.Folders;
import dev.mapsync.internal.store.Limits;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The blueprint of a map: where it lives ({@link #location()}) and what it holds. There is one kind of spec per kind
 * of map, each taken by the handle of that kind and by no other: {@link ArraySpec} ({@link #array}, for
 * {@link SharedArray}), {@link HashSpec} ({@link SharedHashMap}), {@link RingSpec} ({@link #ring}, for
 * {@link SharedRing}), {@link QueueSpec} ({@link #queue}, for {@link SharedQueue}) and {@link BarrierSpec}
 * ({@link #barrier}, for {@link SharedBarrier}) and {@link CounterSpec} ({@link #counters(String, int)}, for
 * {@link SharedCounters}). An existing map of any kind is named by a {@link MapLocation}
 * ({@link #existing(String)}), which every handle also opens, as the map is.
 *
 * <pre>{@code
 * record Account(long id, long balance, @Chars(16) String owner) {}
 * ArraySpec<Account> spec = MapSpec.array("accounts", Account.class, 1024).mode(0660);
 * }</pre>
 *
 * <p>Opening checks the existing map against the spec, field by field, and refuses a mismatch with an
 * {@link IncompatibleMapException} that names the field.
 *
 * <p>A map on the {@link Backend#BPF bpf} backend is a kernel map pinned in the bpf file system, with a sidecar file
 * for its header and control region at {@link #file()}, the place an shm map of the same name would have. Maps
 * mapsync creates are pinned at {@code /sys/fs/bpf/mapsync/<name>}. A map pinned anywhere else (made by bpftool or a
 * libbpf program) is opened with {@link #pinned}, {@link #pinnedRing}, {@link HashSpec#pinned} or
 * {@link #existingPin}; the first open adopts it, making its sidecar.
 *
 * <p>Specs are immutable and thread-safe; each wither returns a changed copy. The factories and withers check their
 * arguments at once and throw {@link IllegalArgumentException} saying what is wrong (and {@link NullPointerException}
 * for a null); nothing touches the file system until a handle opens or creates the map.
 *
 * @param <V> the Java type of a value
 */
public sealed interface MapSpec<V> permits ArraySpec, HashSpec, RingSpec, QueueSpec, BarrierSpec, CounterSpec {
    /** The environment variable that moves the default folder. */
    String DIR_ENV = Folders.DIR_ENV;
    /**
     * Root's default folder of shm maps and bpf sidecars; every other user's is this path followed by {@code -} and
     * the user's id ({@link #defaultDirOf}).
     */
    Path DEFAULT_DIR = Folders.DEFAULT_DIR;
    /** The default permission bits of a new map file or pin. */
    int DEFAULT_MODE = 0600;
    /** How long an opener waits for a map's creator to finish it, unless told otherwise. */
    Duration DEFAULT_OPEN_TIMEOUT = Duration.ofSeconds(5);
    /** How long a lock (or a consistent read behind a live writer) waits before it gives up, unless told otherwise. */
    Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(30);

    /** {@return where the map is and how it is reached} */
    MapLocation location();

    /** {@return the kind of map this spec makes} */
    MapType type();

    /**
     * The same spec with another backend.
     *
     * @param backend where the map's values are to live
     * @return the changed copy
     * @throws IllegalArgumentException if the map cannot live there (a barrier on bpf, a map given by file path on bpf,
     *                                  one given by pin on shm)
     */
    MapSpec<V> backend(Backend backend);

    /**
     * The same spec in another folder (shm backend; bpf sidecars also go there).
     *
     * @param dir the folder
     * @return the changed copy
     * @throws IllegalArgumentException for a spec made from a file path, whose folder is fixed
     */
    MapSpec<V> dir(Path dir);

    /**
     * The same spec with other permission bits for a new map's file (and pin), set exactly, whatever the umask.
     *
     * @param mode the bits, such as {@code 0660} to share with the group
     * @return the changed copy
     * @throws IllegalArgumentException if the bits are not in 0..0777
     */
    MapSpec<V> mode(int mode);

    /**
     * The same spec with another bound on how long an opener waits for a map's creator to finish it.
     *
     * @param timeout the bound (default {@link #DEFAULT_OPEN_TIMEOUT})
     * @return the changed copy
     * @throws IllegalArgumentException if the timeout is negative
     */
    MapSpec<V> openTimeout(Duration timeout);

    /**
     * The same spec with another default bound on lock waits.
     *
     * @param timeout the bound (default {@link #DEFAULT_LOCK_TIMEOUT})
     * @return the changed copy
     * @throws IllegalArgumentException if the timeout is negative
     */
    MapSpec<V> lockTimeout(Duration timeout);

    /** {@return the map's name: the file name for specs made from a path, the pin's name for pins} */
    default String name() {
        return location().name();
    }

    /** {@return the folder ({@link MapLocation#dir()})} */
    default Path dir() {
        return location().dir();
    }

    /** {@return where the map's file (the sidecar, for bpf maps: {@code <dir>/<name>}) is} */
    default Path file() {
        return location().file();
    }

    /** {@return the explicit file path, if the spec was made from one} */
    default Optional<Path> path() {
        return location().path();
    }

    /** {@return the pin path given to {@link #pinned}, {@link #pinnedRing} or {@link HashSpec#pinned}, if any} */
    default Optional<Path> pinPath() {
        return location().pinPath();
    }

    /** {@return where the map's values live} */
    default Backend backend() {
        return location().backend();
    }

    /** {@return the permission bits of a new map, such as {@code 0600}} */
    default int mode() {
        return location().mode();
    }

    /** {@return how long an opener waits for a map's creator to finish it} */
    default Duration openTimeout() {
        return location().openTimeout();
    }

    /** {@return the default lock timeout of handles opened with this spec} */
    default Duration lockTimeout() {
        return location().lockTimeout();
    }

    /**
     * An array map called {@code name} (in the default folder, or in {@link #dir}) with {@code entries} values.
     *
     * @param name    the map's name
     * @param codec   the codec of the values
     * @param entries the number of values
     * @param <V>     the Java type of a value
     * @return the spec
     * @throws IllegalArgumentException if the name is not 1 to 128 of {@code A-Z a-z 0-9 _ -}, entries is not positive,
     *                                  or the values are larger than a map may hold (a value of more than 2^31 - 9
     *                                  bytes, or more than 64 TiB in all)
     */
    static <V> ArraySpec<V> array(String name, Codec<V> codec, int entries) {
        MapLocation at = MapLocation.named(name);
        return new ArraySpec<>(at, SpecRules.checkFits(name, codec, SpecRules.checkEntries(entries)), entries, 0, 0);
    }

    /**
     * An array map of records, laid out as the C struct of the record's components ({@link Codec#record}).
     *
     * @param name       the map's name
     * @param recordType the record class of the values
     * @param entries    the number of values
     * @param <R>        the record type
     * @return the spec
     * @throws IllegalArgumentException as {@link #array(String, Codec, int)} does, or as {@link Codec#record} does
     *                                  (such as for a record whose module does not open its package to mapsync)
     */
    static <R extends Record> ArraySpec<R> array(String name, Class<R> recordType, int entries) {
        return array(name, Codec.record(recordType), entries);
    }

    /**
     * An array map in the file at {@code path} (shm backend), whatever its name.
     *
     * @param path    the map's file
     * @param codec   the codec of the values
     * @param entries the number of values
     * @param <V>     the Java type of a value
     * @return the spec
     * @throws IllegalArgumentException as {@link #array(String, Codec, int)} does, for entries and values
     */
    static <V> ArraySpec<V> array(Path path, Codec<V> codec, int entries) {
        MapLocation at = MapLocation.file(path);
        return new ArraySpec<>(at, SpecRules.checkFits(at.name(), codec, SpecRules.checkEntries(entries)), entries, 0, 0);
    }

    /**
     * The existing map called {@code name}, of any kind, as it is: its kind, schema, size and backend come from the
     * map's own header. Such a location cannot create a map.
     *
     * @param name the map's name, in the default folder ({@link MapLocation#dir(Path)} moves it)
     * @return its location
     * @throws IllegalArgumentException if the name is not 1 to 128 of {@code A-Z a-z 0-9 _ -}
     */
    static MapLocation existing(String name) {
        return MapLocation.named(name);
    }

    /**
     * {@link #existing(String)} for the map file at {@code path}.
     *
     * @param path the map's file
     * @return its location
     */
    static MapLocation existing(Path path) {
        return MapLocation.file(path);
    }

    /**
     * A spec that opens the kernel array map pinned at {@code pin} (bpf backend), made by mapsync or by any other
     * program (bpftool, libbpf), with values of {@code codec}; the entry count is the map's own. The map must be a
     * {@code BPF_MAP_TYPE_ARRAY} (or, with {@link ArraySpec#perCpu(boolean) perCpu(true)}, a {@code PERCPU_ARRAY})
     * whose value size is the codec's. The first open adopts the map: it makes the map's
     * sidecar in {@link #dir}, named after the pin. Such a spec cannot create a map.
     *
     * <pre>{@code
     * // bpftool map create /sys/fs/bpf/hits type array key 4 value 8 entries 16 name hits flags 1024
     * try (var hits = SharedArray.open(MapSpec.pinned(Path.of("/sys/fs/bpf/hits"), Codec.i64()))) { ... }
     * }</pre>
     *
     * @param pin   the pin's path in the bpf file system
     * @param codec the codec of the values, whose size must be the kernel map's value size
     * @param <V>   the Java type of a value
     * @return the spec
     * @throws IllegalArgumentException if the pin's name is not a map name (1 to 128 of {@code A-Z a-z 0-9 _ -}),
     *                                  since it also names the sidecar
     */
    static <V> ArraySpec<V> pinned(Path pin, Codec<V> codec) {
        return new ArraySpec<>(MapLocation.pinned(pin), Objects.requireNonNull(codec, "codec"), 0, 0, 0);
    }

    /**
     * The kernel map pinned at {@code pin} as it is: the value schema comes from the map's BTF (or from its sidecar,
     * once adopted). A map without BTF, or whose BTF has no schema (a union, a pointer, a packed struct), is refused
     * with a message saying so; open it with {@link #pinned(Path, Codec)} instead.
     *
     * @param pin the pin's path in the bpf file system
     * @return its location
     * @throws IllegalArgumentException if the pin's name is not a map name
     */
    static MapLocation existingPin(Path pin) {
        return MapLocation.pinned(pin);
    }

    /**
     * A ring called {@code name} of {@code capacity} bytes holding records of any length (byte strings), in the BPF
     * ring buffer's record format: many producers, one consumer ({@link SharedRing}). On the {@link Backend#BPF bpf}
     * backend it is a kernel {@code BPF_MAP_TYPE_RINGBUF} that BPF programs produce into and this process
     * consumes from.
     *
     * @param name     the ring's name
     * @param capacity bytes of records, a power of two from one page (4096) to 1 GiB; a record takes its length
     *                 plus an 8-byte header, rounded up to 8
     * @return the spec
     * @throws IllegalArgumentException if the name or the capacity is not valid
     */
    static RingSpec ring(String name, int capacity) {
        return new RingSpec(MapLocation.named(name), SpecRules.checkCapacity(capacity));
    }

    /**
     * A queue called {@code name} that holds {@code values} values of {@code codec} waiting for the consumer
     * ({@link SharedQueue}). Its ring is the smallest power of two of bytes, one page at least, with room for that
     * many records of {@code round_up(8 + codec.size(), 8)} bytes, so the queue may hold a few more
     * ({@link SharedQueue#capacityValues()} says how many; {@link QueueSpec#capacityBytes()} gives the ring's bytes).
     *
     * @param name   the queue's name (1 to 128 of {@code A-Z a-z 0-9 _ -}, not starting with {@code -})
     * @param codec  how a value is laid out and converted
     * @param values how many values the queue holds when its consumer has taken none, from 1 up to what a ring of
     *               1 GiB holds
     * @param <T>    the Java type of a value
     * @return the spec, in the default folder, on the shm backend, with mode 0600
     * @throws IllegalArgumentException if the name is not valid, {@code values} is below 1, or that many values need a
     *                                  ring of more than 1 GiB
     */
    static <T> QueueSpec<T> queue(String name, Codec<T> codec, int values) {
        MapLocation at = MapLocation.named(name);
        Objects.requireNonNull(codec, "codec");
        long bytes = RingLayout.bytesFor(values, codec.size());
        if (values < 1 || bytes > RingLayout.MAX_CAPACITY) {
            throw new IllegalArgumentException("queue '" + name + "': " + values + " values of " + codec.schema()
                    + " (" + RingLayout.recordSize(codec.size()) + " bytes each in the ring) "
                    + (values < 1 ? "is no capacity; a queue holds 1 value at least"
                    : "need a ring of more than " + RingLayout.MAX_CAPACITY + " bytes, the most a ring has"));
        }
        String problem = Limits.schemaTextProblem("", codec.schema().toString());
        if (problem != null) throw new IllegalArgumentException("queue '" + name + "': " + problem);
        return new QueueSpec<>(at, codec, values, (int) bytes);
    }

    /**
     * A queue of records laid out as the C struct of the record's components ({@link Codec#record}) that holds
     * {@code values} of them, as {@link #queue(String, Codec, int)} sizes it.
     *
     * @param name       the queue's name
     * @param recordType the record class of the values
     * @param values     how many values the queue holds when its consumer has taken none
     * @param <R>        the record type
     * @return the spec, in the default folder, on the shm backend, with mode 0600
     * @throws IllegalArgumentException as {@link #queue(String, Codec, int)} does, or as {@link Codec#record} does
     *                                  (such as for a record whose module does not open its package to mapsync)
     */
    static <R extends Record> QueueSpec<R> queue(String name, Class<R> recordType, int values) {
        return queue(name, Codec.record(recordType), values);
    }

    /**
     * A spec that opens the kernel ring buffer ({@code BPF_MAP_TYPE_RINGBUF}) pinned at {@code pin}, made by
     * mapsync or by any other program (bpftool, libbpf), to consume its records ({@link SharedRing}); or the ring into
     * the kernel ({@code BPF_MAP_TYPE_USER_RINGBUF}) pinned there, to produce records a BPF program drains. The first open
     * adopts it, making its sidecar in {@link #dir}, named after the pin. Such a spec cannot create a map.
     *
     * @param pin the pin's path in the bpf file system
     * @return the spec
     * @throws IllegalArgumentException if the pin's name is not a map name
     */
    static RingSpec pinnedRing(Path pin) {
        return new RingSpec(MapLocation.pinned(pin), 0);
    }

    /**
     * A barrier called {@code name} that {@code parties} processes meet at, generation after generation
     * ({@link SharedBarrier}). Barriers live in shared memory only.
     *
     * @param name    the barrier's name
     * @param parties how many processes meet at it
     * @return the spec
     * @throws IllegalArgumentException if the name is not valid or parties is not in 1..1024
     */
    static BarrierSpec barrier(String name, int parties) {
        MapLocation at = MapLocation.named(name);
        int max = BarrierLayout.MAX_PARTIES;
        if (parties < 1 || parties > max) {
            throw new IllegalArgumentException("a barrier has 1 to " + max + " parties, not " + parties);
        }
        return new BarrierSpec(at, parties);
    }

    /**
     * A counter map called {@code name} of {@code count} sharded 64-bit counters ({@link SharedCounters}): each process
     * adds into cells of its own, and a read sums them, so adds from many processes do not contend. Counter maps live
     * in shared memory only.
     *
     * @param name  the map's name
     * @param count how many counters, 1 to 1024 (the file holds 1024 blocks of {@code 8 * count} bytes rounded up to
     *              128, one per process slot)
     * @return the spec
     * @throws IllegalArgumentException if the name is not valid or count is not in 1..1024
     */
    static CounterSpec counters(String name, int count) {
        return new CounterSpec(MapLocation.named(name), checkCount(count));
    }

    /**
     * {@link #counters(String, int)} in the file at {@code path}, whatever its name.
     *
     * @param path  the map's file
     * @param count how many counters, 1 to 1024
     * @return the spec
     * @throws IllegalArgumentException if count is not in 1..1024
     */
    static CounterSpec counters(Path path, int count) {
        return new CounterSpec(MapLocation.file(path), checkCount(count));
    }

    private static int checkCount(int count) {
        int max = CounterLayout.MAX_COUNT;
        if (count < 1 || count > max) {
            throw new IllegalArgumentException("a counter map has 1 to " + max + " counters, not " + count);
        }
        return count;
    }

    /**
     * {@return the default folder: {@code $MAPSYNC_DIR} when set, else {@link #defaultDirOf the default folder of the
     * effective user}}
     */
    static Path defaultDir() {
        return Folders.defaultDir();
    }

    /**
     * The default folder of user {@code uid} (when {@code MAPSYNC_DIR} is not set): {@code /dev/shm/mapsync} for root,
     * {@code /dev/shm/mapsync-<uid>} for every other user. One folder per user, made with mode 0755, so that no map
     * anyone opens by name sits in a folder another user can write; such a folder is trusted only when it is owned
     * by its user or by root, since anyone may make it before its user does.
     *
     * @param uid the user's id
     * @return the user's default folder
     */
    static Path defaultDirOf(int uid) {
        return Folders.defaultDirOf(uid);
    }

    /**
     * Checks a map name.
     *
     * @param name the name
     * @return the name, if it is valid: 1 to 128 of {@code A-Z a-z 0-9 _ -}, not starting with {@code -}
     * @throws IllegalArgumentException saying what is wrong with it
     */
    static String checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (!Pattern.matches("[A-Za-z0-9_][A-Za-z0-9_-]{0,127}", name)) {
            throw new IllegalArgumentException("invalid map name '" + name + "': use 1 to 128 of A-Z a-z 0-9 _ -"
                    + " (not starting with '-'); '/', '.' and '..' are refused so that no name leaves its folder");
        }
        return name;
    }
}
