package dev.mapsync;

import dev.mapsync.internal.hash.KernelHashTable;
import dev.mapsync.internal.store.PerCpuValues;
import dev.mapsync.internal.store.AccessFailures;
import dev.mapsync.internal.hash.HashKind;
import dev.mapsync.internal.store.Opener;
import dev.mapsync.internal.store.MapInfos;
import dev.mapsync.internal.store.MapRegion;
import dev.mapsync.internal.store.ReplicaMark;
import dev.mapsync.internal.codec.OwnCodecs;
import dev.mapsync.internal.hash.Buffers;
import dev.mapsync.internal.hash.HashTable;
import dev.mapsync.internal.hash.ShmHashTable;
import dev.mapsync.internal.hash.Update;
import dev.mapsync.internal.sys.Layouts;
import dev.mapsync.internal.sys.Errno;
import dev.mapsync.internal.sys.SyscallException;
import dev.mapsync.internal.notify.ChangeLog;
import dev.mapsync.internal.notify.Watcher;
import dev.mapsync.internal.lock.EntryLocks;
import dev.mapsync.internal.lock.HeldLocks;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A hash map shared between processes: fixed-size keys (numbers, {@code char[N]} strings, records) to fixed-size
 * values, described by {@link Codec}s, with a capacity fixed when it is made.
 *
 * <pre>{@code
 * try (var sessions = SharedHashMap.openOrCreate(HashSpec.of("sessions", Codec.chars(36), Codec.i64(), 100_000))) {
 *     sessions.put("4b1d...", 42L);
 *     Long user = sessions.get("4b1d...");          // lock-free, never torn
 *     sessions.getAndAdd("hits", 1);                // inserts 1 if absent
 *     sessions.compute("4b1d...", (k, v) -> v == null ? 1L : v + 1);
 * }
 * }</pre>
 *
 * <p><b>shm backend.</b> The map is an open-addressing table in a file in {@code /dev/shm}, split into segments, each
 * with its own robust lock and sequence word (see docs/FORMAT.md). Reads take no lock and never block: they read
 * the segment between two loads of its sequence, and read through the journal of a write in progress, so they never
 * see a torn key or value and never wait for a writer, even one that died mid-write. Writes lock the key's segment;
 * every change is a small journaled window, so a writer killed at any instruction loses at most its own operation,
 * and the next writer of the segment undoes the cut-short window. Deletes shift the keys after them back (no
 * tombstones remain), so lookups do not degrade. The map holds exactly {@link #capacity()} entries; a new key beyond
 * that throws {@link MapFullException} (writers racing in other processes may together overshoot by one each).
 *
 * <p><b>bpf backend.</b> The map is a kernel {@code BPF_MAP_TYPE_HASH} (or {@code LRU_HASH}) pinned in bpffs, so BPF
 * programs and bpftool share it. Kernel hash maps cannot be mapped into memory: every operation here is a
 * {@code bpf(2)} call ({@link #info()} says {@code access: syscall}). Read-modify-write operations ({@code put}
 * returning the old value, {@code compute}, {@code getAndAdd}, ...) lock a stripe in the map's shm sidecar, so they
 * are atomic among mapsync processes; BPF programs do not take those locks. A value type declared with
 * {@link HashSpec#spinLock} is copied whole with {@code BPF_F_LOCK} under the element's {@code bpf_spin_lock}.
 *
 * <p><b>Transactions.</b> {@link #lock(Object)} and {@link #lockAll(Object[])} take the locks that guard keys (their
 * segments' locks, the ones writes take), so that a group of operations on several keys is atomic to every process;
 * {@link #getAll} reads several keys under their locks, as one moment of the map:
 *
 * <pre>{@code
 * try (LockGuard g = accounts.lockAll("ada", "bob")) {      // one order in every process: no deadlock
 *     accounts.put("bob", accounts.remove("ada"));          // this thread's own writes run under its locks
 * }
 * Map<String, Account> both = accounts.getAll(List.of("ada", "bob"));   // the record once, never twice or not at all
 * }</pre>
 *
 * <p>Like {@link java.util.Map}, {@code null} stands for "no value": keys and values are never null (a null one
 * throws {@link InvalidValueException}). Values are compared (in {@link #remove(Object, Object)} and
 * {@link #replace(Object, Object, Object)}) by their encoded bytes.
 *
 * <p><b>Failures.</b> A key or value that does not fit its codec: {@link InvalidValueException}; so does a read of a
 * stored value whose bytes are no value of it (a string that is not UTF-8, from a peer), which {@link #delete}
 * removes and {@link #set} overwrites without reading it. A new key in a full map: {@link MapFullException}. A
 * write, lock or subscription through a read-only handle: {@link MapAccessDeniedException}. A lock not obtained in
 * time: {@link LockTimeoutException}. A call after {@link #close()}: {@link MapClosedException}. A word of the map
 * no process following docs/FORMAT.md writes, or memory that vanished under the handle: {@link CorruptMapException}.
 * A {@code bpf(2)} call the kernel refuses: {@link MapSyncException} naming the call and its errno. In each case
 * nothing was changed.
 *
 * <p><b>Threads.</b> A handle is safe to share between any number of threads: every operation is atomic across the
 * threads and processes that use the map, as a {@link java.util.concurrent.ConcurrentMap}'s are. An iterator may be
 * shared too: each entry it gives goes to one thread, and a {@code hasNext} that another thread's {@code next}
 * overtakes ends in {@link NoSuchElementException}, as with any shared iterator. Closing the handle unmaps the map;
 * later calls, from any thread, throw {@link MapClosedException}.
 *
 * @param <K> the Java type of a key
 * @param <V> the Java type of a value
 */
public final class SharedHashMap<K, V> implements SharedMap, Iterable<Map.Entry<K, V>> {
    private final MapRegion region;
    private final Codec<K> keys;
    private final Codec<V> values;
    /** Whether a key's or a value's buffer is zeroed before its codec writes it: a codec of one's own ({@link OwnCodecs}). */
    private final boolean zeroKeys, zeroValues;
    private final EntryLocks locks;
    private final ChangeLog changes;
    private final HashTable table;
    private final int keySize;
    private final int valueSize;
    /** True when this handle refuses writes: it is read-only, or its map is a replica it does not keep. */
    private final boolean readOnly;
    /** The leader of a replica this handle may not write (empty when unknown), else null. */
    private final String replicaOf;
    private final Map<String, Schema.Field> integerFields = new ConcurrentHashMap<>();

    private SharedHashMap(MapRegion region, Codec<K> keys, Codec<V> values, MapLocation location) {
        this.region = region;
        this.keys = keys;
        this.values = values;
        this.zeroKeys = !OwnCodecs.writesEveryByte(keys);
        this.zeroValues = !OwnCodecs.writesEveryByte(values);
        this.keySize = keys.size();
        this.valueSize = values.size();
        this.replicaOf = ReplicaMark.refusingLeader(region, location.isReplica());
        this.readOnly = region.readOnly() || replicaOf != null;
        this.locks = new EntryLocks(region.control(), region.header(), region.lockFd(), region.readOnly(), region.name(),
                location.lockTimeout());
        this.changes = new ChangeLog(region.control(), region.header(), locks.token(), region.lockFd(), region.name());
        this.table = HashKind.table(region, locks, changes);
    }

    private static <K, V> SharedHashMap<K, V> wrap(MapRegion region, Codec<K> keys, Codec<V> values, MapLocation location) {
        return region.into(r -> new SharedHashMap<>(r, keys, values, location));
    }

    /** A handle of the map at {@code location}, with codecs of its own key and value schemas. */
    private static SharedHashMap<Object, Object> adopt(MapRegion region, MapLocation location) {
        return region.into(r -> new SharedHashMap<>(r, Codec.of(r.header().keySchema()),
                Codec.of(r.header().valueSchema()), location));
    }

    /**
     * Creates a new hash map.
     *
     * @param spec the map's blueprint
     * @param <K>  the Java type of a key
     * @param <V>  the Java type of a value
     * @return the handle, for reading and writing
     * @throws MapExistsException       if a map of that name exists
     * @throws MapAccessDeniedException if the folder (or the kernel, or bpffs) refuses
     */
    public static <K, V> SharedHashMap<K, V> create(HashSpec<K, V> spec) {
        return wrap(Opener.create(spec.blueprint(), HashKind.INSTANCE), spec.keyCodec(), spec.valueCodec(), spec.location());
    }

    /**
     * Opens an existing hash map for reading and writing, after checking it against the spec.
     *
     * @param spec the map's blueprint
     * @param <K>  the Java type of a key
     * @param <V>  the Java type of a value
     * @return the handle
     * @throws MapNotFoundException     if there is no such map
     * @throws IncompatibleMapException if the map differs from the spec (another key or value schema, an array map);
     *                                  the message names the field
     * @throws CorruptMapException      if the file is not a complete map of a version this library reads
     */
    public static <K, V> SharedHashMap<K, V> open(HashSpec<K, V> spec) {
        return wrap(Opener.open(spec.blueprint(), false, HashKind.INSTANCE), spec.keyCodec(), spec.valueCodec(), spec.location());
    }

    /**
     * Opens the existing hash map at {@code location} as it is, with codecs of its own key and value schemas
     * ({@link Codec#of(Schema)}: structs are {@code Map<String, Object>}); a kernel hash map pinned by another
     * program ({@link MapSpec#existingPin}) takes them from its BTF.
     *
     * @param location the map
     * @return the handle, for reading and writing
     * @throws MapNotFoundException     if there is no such map
     * @throws IncompatibleMapException if it is not a hash map
     * @throws CorruptMapException      if the file is not a complete map of a version this library reads
     */
    public static SharedHashMap<Object, Object> open(MapLocation location) {
        return adopt(Opener.open(location.blueprint(), false, HashKind.INSTANCE), location);
    }

    /**
     * Opens an existing hash map for reading only: every write, lock and subscription throws
     * {@link MapAccessDeniedException}.
     *
     * @param spec the map's blueprint
     * @param <K>  the Java type of a key
     * @param <V>  the Java type of a value
     * @return the read-only handle
     * @throws MapNotFoundException     if there is no such map
     * @throws IncompatibleMapException if the map differs from the spec; the message names the field
     * @throws CorruptMapException      if the file is not a complete map of a version this library reads
     */
    public static <K, V> SharedHashMap<K, V> openReadOnly(HashSpec<K, V> spec) {
        return wrap(Opener.open(spec.blueprint(), true, HashKind.INSTANCE), spec.keyCodec(), spec.valueCodec(), spec.location());
    }

    /**
     * {@link #open(MapLocation)} for reading only.
     *
     * @param location the map
     * @return the read-only handle
     * @throws MapNotFoundException     if there is no such map
     * @throws IncompatibleMapException if it is not a hash map
     * @throws CorruptMapException      if the file is not a complete map of a version this library reads
     */
    public static SharedHashMap<Object, Object> openReadOnly(MapLocation location) {
        return adopt(Opener.open(location.blueprint(), true, HashKind.INSTANCE), location);
    }

    /**
     * Opens the map if it exists (checking it against the spec), else creates it. Concurrent callers get one map.
     *
     * @param spec the map's blueprint
     * @param <K>  the Java type of a key
     * @param <V>  the Java type of a value
     * @return the handle, for reading and writing
     * @throws IncompatibleMapException if the existing map differs from the spec; the message names the field
     * @throws MapAccessDeniedException if the folder (or the kernel, or bpffs) refuses
     */
    public static <K, V> SharedHashMap<K, V> openOrCreate(HashSpec<K, V> spec) {
        return wrap(Opener.openOrCreate(spec.blueprint(), HashKind.INSTANCE), spec.keyCodec(), spec.valueCodec(), spec.location());
    }

    /** {@return the map's name} */
    public String name() {
        return region.name();
    }

    /** {@return the most entries the map holds (a kernel map's {@code max_entries})} */
    public int capacity() {
        return region.header().entries();
    }

    /** {@return the codec of the keys} */
    public Codec<K> keyCodec() {
        return keys;
    }

    /** {@return the codec of the values} */
    public Codec<V> valueCodec() {
        return values;
    }

    /** {@return true if this handle was opened read-only} */
    public boolean isReadOnly() {
        return region.readOnly();
    }

    /** {@return true once {@link #close()} was called} */
    public boolean isClosed() {
        return region.isClosed();
    }

    /** {@return where the entries live} */
    public Backend backend() {
        return region.header().storage();
    }

    /**
     * {@return what the map's header says about it; {@code details} has the access path ({@code shared memory} or
     * {@code syscall})}
     *
     * @throws MapClosedException if this handle is closed
     */
    public MapInfo info() {
        checkOpen();
        Map<String, String> details = new LinkedHashMap<>();
        if (backend() == Backend.BPF) details.putAll(dev.mapsync.internal.store.BpfArrays.details(region.name(), region.file()));
        details.put("access", HashKind.accessPath(region));
        return MapInfos.of(region.name(), region.file(), region.header(), details);
    }

    // ----------------------------------------------------------------------------------------------- reads

    /**
     * The value of {@code key}, or null when the key is absent. On the shm backend this takes no lock and never
     * waits for a writer.
     *
     * @param key the key
     * @return its value, or null
     * @throws InvalidValueException if the key does not fit the key codec (too long a string, a wrong type, null)
     */
    public V get(K key) {
        Buffers b = Buffers.take(keySize, valueSize);
        try {
            return find(key, b) ? values.read(b.value, 0) : null;
        } finally {
            b.release();
        }
    }

    /**
     * Each possible CPU's value of {@code key} in a per-CPU hash map ({@code BPF_MAP_TYPE_PERCPU_HASH},
     * {@code LRU_PERCPU_HASH}) and their sum ({@link #get} returns the sum), from one {@code BPF_MAP_LOOKUP_ELEM}.
     * Thread-safe.
     *
     * @param key the key
     * @return the CPUs' values and their sum, or null when the key is absent
     * @throws IncompatibleMapException if the map is not a per-CPU hash map
     * @throws InvalidValueException    if the key does not fit the key codec, or a CPU's bytes are not a value
     * @throws MapClosedException       if the handle is closed
     */
    public PerCpu<V> getPerCpu(K key) {
        if (!(table instanceof KernelHashTable kernel) || kernel.cpus() == 0) {
            throw new IncompatibleMapException("map '" + name() + "' is not a per-CPU hash map: it has one value per key,"
                    + " which get returns", "kernel map type");
        }
        Buffers b = Buffers.take(keySize, valueSize);
        try (Arena arena = Arena.ofConfined()) {
            encodeKey(key, b.key);
            MemorySegment all = arena.allocate(kernel.perCpuSize(), 8);
            if (!kernel.getPerCpu(b.key, all)) return null;
            java.util.List<V> each = new java.util.ArrayList<>(kernel.cpus());
            for (int cpu = 0; cpu < kernel.cpus(); cpu++) each.add(values.read(PerCpuValues.of(all, valueSize, cpu), 0));
            MemorySegment sum = arena.allocate(Math.max(8, valueSize), 8);
            PerCpuValues.sum(values.schema(), all, kernel.cpus(), sum);
            return new PerCpu<>(each, values.read(sum, 0));
        } catch (IllegalStateException | InternalError e) {
            throw closedOr(e);
        } catch (SyscallException e) {
            throw failed("reading", e);
        } finally {
            b.release();
        }
    }

    /**
     * Whether {@code key} is in the map, read as {@link #get} reads.
     *
     * @param key the key
     * @return true when the key is present
     * @throws InvalidValueException if the key does not fit the key codec
     */
    public boolean containsKey(K key) {
        Buffers b = Buffers.take(keySize, valueSize);
        try {
            return find(key, b);
        } finally {
            b.release();
        }
    }

    /** Looks {@code key} up, its value into {@code b.value}; no lambda, so that a read allocates nothing. */
    private boolean find(K key, Buffers b) {
        try {
            encodeKey(key, b.key);
            return table.get(b.key, b.value);
        } catch (IllegalStateException | InternalError e) {
            throw closedOr(e);
        } catch (SyscallException e) {
            throw failed("reading", e);
        }
    }

    // ---------------------------------------------------------------------------------------------- writes

    /**
     * Stores {@code value} under {@code key}.
     *
     * @param key   the key
     * @param value its new value
     * @return the previous value, or null if the key was absent
     * @throws MapFullException         if the key is new and the map holds its capacity (nothing changed)
     * @throws InvalidValueException    if the key or value does not fit its codec, or is null (nothing changed)
     * @throws MapAccessDeniedException if the handle is read-only
     * @throws LockTimeoutException     if the key's lock could not be taken within the map's lock timeout
     */
    public V put(K key, V value) {
        return write(key, value, (b, current, into) -> {
            if (current != null) b.found = values.read(current, 0);
            return Update.WRITE;
        });
    }

    /**
     * {@link #put} without reading back the previous value: on the bpf backend one {@code BPF_MAP_UPDATE_ELEM} with
     * {@code BPF_ANY} instead of a lookup and an update.
     *
     * @param key   the key
     * @param value its new value
     * @throws MapFullException         if the key is new and the map holds its capacity (nothing changed)
     * @throws InvalidValueException    if the key or value does not fit its codec, or is null (nothing changed)
     * @throws MapAccessDeniedException if the handle is read-only
     * @throws LockTimeoutException     if the key's lock could not be taken within the map's lock timeout
     */
    public void set(K key, V value) {
        update(key, b -> {
            encodeValue(value, b.value);
            table.write(b.key, b.value);
            return null;
        });
    }

    /**
     * Stores {@code value} under {@code key} unless the key is present.
     *
     * @param key   the key
     * @param value the value to store if the key is absent
     * @return the present value (nothing changed), or null if the value was stored
     * @throws MapFullException         if the key is new and the map holds its capacity (nothing changed)
     * @throws InvalidValueException    if the key or value does not fit its codec, or is null (nothing changed)
     * @throws MapAccessDeniedException if the handle is read-only
     * @throws LockTimeoutException     if the key's lock could not be taken within the map's lock timeout
     */
    public V putIfAbsent(K key, V value) {
        return write(key, value, (b, current, into) -> {
            if (current == null) return Update.WRITE;
            b.found = values.read(current, 0);
            return Update.KEEP;
        });
    }

    /**
     * Replaces the value of a present key.
     *
     * @param key   the key
     * @param value its new value
     * @return the previous value, or null if the key was absent (nothing changed)
     * @throws InvalidValueException    if the key or value does not fit its codec, or is null (nothing changed)
     * @throws MapAccessDeniedException if the handle is read-only
     * @throws LockTimeoutException     if the key's lock could not be taken within the map's lock timeout
     */
    public V replace(K key, V value) {
        return write(key, value, (b, current, into) -> {
            if (current == null) return Update.KEEP;
            b.found = values.read(current, 0);
            return Update.WRITE;
        });
    }

    /**
     * Replaces the value of {@code key} if it is {@code expected} (compared by encoded bytes).
     *
     * @param key      the key
     * @param expected the value it must have
     * @param value    its new value
     * @return true if it was replaced
     * @throws InvalidValueException    if the key or value does not fit its codec, or is null (nothing changed)
     * @throws MapAccessDeniedException if the handle is read-only
     * @throws LockTimeoutException     if the key's lock could not be taken within the map's lock timeout
     */
    public boolean replace(K key, V expected, V value) {
        return ifEquals(key, expected, value, Update.WRITE);
    }

    /**
     * Removes {@code key}.
     *
     * @param key the key
     * @return the value it had, or null if it was absent
     * @throws InvalidValueException    if the key does not fit the key codec, or is null
     * @throws MapAccessDeniedException if the handle is read-only
     * @throws LockTimeoutException     if the key's lock could not be taken within the map's lock timeout
     */
    public V remove(K key) {
        return update(key, b -> {
            table.update(b.key, b.value, (current, into) -> {
                if (current == null) return Update.KEEP;
                b.found = values.read(current, 0);
                return Update.REMOVE;
            });
            return found(b);
        });
    }

    /**
     * {@link #remove(Object)} without reading the value: it removes a key whose stored bytes are no value of the
     * value codec (a peer's garbage), which {@code remove} reports instead.
     *
     * @param key the key
     * @return true if the key was there and is removed, false if it was absent
     * @throws InvalidValueException    if the key does not fit the key codec, or is null
     * @throws MapAccessDeniedException if the handle is read-only
     * @throws LockTimeoutException     if the key's lock could not be taken within the map's lock timeout
     */
    public boolean delete(K key) {
        return update(key, b -> {
            boolean[] done = {false};
            table.update(b.key, b.value, (current, into) -> {
                done[0] = current != null;
                return done[0] ? Update.REMOVE : Update.KEEP;
            });
            return done[0];
        });
    }

    /**
     * Removes {@code key} if its value is {@code expected} (compared by encoded bytes).
     *
     * @param key      the key
     * @param expected the value it must have
     * @return true if it was removed
     * @throws InvalidValueException    if the key or value does not fit its codec, or is null (nothing changed)
     * @throws MapAccessDeniedException if the handle is read-only
     * @throws LockTimeoutException     if the key's lock could not be taken within the map's lock timeout
     */
    public boolean remove(K key, V expected) {
        return ifEquals(key, expected, null, Update.REMOVE);
    }

    /** Does {@code action} (writing {@code value}, or removing) if the value of {@code key} is {@code expected}. */
    private boolean ifEquals(K key, V expected, V value, int action) {
        return update(key, b -> {
            encodeValue(expected, b.other);
            if (value != null) encodeValue(value, b.value);
            boolean[] done = {false};
            table.update(b.key, b.value, (current, into) -> {
                if (current == null || MemorySegment.mismatch(current, 0, valueSize, b.other, 0, valueSize) >= 0) {
                    return Update.KEEP;
                }
                done[0] = true;
                return action;
            });
            return done[0];
        });
    }

    /**
     * Computes the value of {@code key} under the key's lock: {@code fn} gets the key and its value (null if
     * absent) and returns the new value, or null to remove the key. No other mapsync writer changes the key meanwhile.
     * If {@code fn} throws, nothing changes. {@code fn} must not use this map (its segment's lock is held: a nested
     * call throws {@link LockAlreadyHeldException}); on the bpf backend it may run again if a BPF program inserts or
     * deletes the key between the lookup and the update.
     *
     * @param key the key
     * @param fn  the new value (or null) from the key and its value (or null)
     * @return the new value, or null if the key is now absent
     * @throws MapFullException         if the key is new and the map holds its capacity (nothing changed)
     * @throws InvalidValueException    if the key or value does not fit its codec, or is null (nothing changed)
     * @throws MapAccessDeniedException if the handle is read-only
     * @throws LockTimeoutException     if the key's lock could not be taken within the map's lock timeout
     */
    public V compute(K key, BiFunction<? super K, ? super V, ? extends V> fn) {
        return update(key, b -> {
            table.update(b.key, b.value, (current, into) -> {
                V old = current == null ? null : values.read(current, 0);
                V updated = fn.apply(key, old);
                b.found = updated;
                if (updated == null) return current == null ? Update.KEEP : Update.REMOVE;
                encodeValue(updated, into);
                return Update.WRITE;
            });
            return found(b);
        });
    }

    /**
     * Adds {@code delta} to the value of {@code key}, a map of integer values, under the key's lock; an absent key is
     * inserted with the value {@code delta}. The sum wraps around at the type's width, as C's atomics do.
     *
     * @param key   the key
     * @param delta what to add (negative to subtract)
     * @return the value before (0 if the key was absent; unsigned types as their unsigned value, u64 as its bits)
     * @throws IllegalArgumentException if the values are not integers
     * @throws MapFullException         if the key is new and the map holds its capacity (nothing changed)
     * @throws InvalidValueException    if the key or value does not fit its codec, or is null (nothing changed)
     * @throws MapAccessDeniedException if the handle is read-only
     * @throws LockTimeoutException     if the key's lock could not be taken within the map's lock timeout
     */
    public long getAndAdd(K key, long delta) {
        Schema s = values.schema();
        if (!s.kind().isInteger()) {
            throw new IllegalArgumentException("map '" + name() + "' holds " + s + " values, not integers");
        }
        return add(key, 0, s.kind(), delta);
    }

    /**
     * Adds {@code delta} to integer {@code field} of the value of {@code key} ({@code a.b} names a field of a nested
     * struct), under the key's lock; an absent key is inserted with a value whose fields are zero but this one, which
     * is {@code delta}.
     *
     * @param key   the key
     * @param field the field's name
     * @param delta what to add (negative to subtract)
     * @return the field's value before (0 if the key was absent)
     * @throws IllegalArgumentException if there is no such field or it is not an integer
     * @throws MapFullException         if the key is new and the map holds its capacity (nothing changed)
     * @throws InvalidValueException    if the key or value does not fit its codec, or is null (nothing changed)
     * @throws MapAccessDeniedException if the handle is read-only
     * @throws LockTimeoutException     if the key's lock could not be taken within the map's lock timeout
     */
    public long getAndAdd(K key, String field, long delta) {
        Schema.Field f = integerFields.computeIfAbsent(field, name -> {
            Schema.Field found = values.schema().field(name).orElseThrow(() -> new IllegalArgumentException(
                    "map '" + name() + "' has no field '" + name + "' (its values are " + values.schema() + ")"));
            if (!found.type().kind().isInteger()) {
                throw new IllegalArgumentException("field '" + name + "' of map '" + name() + "' is " + found.type()
                        + ", not an integer");
            }
            return found;
        });
        return add(key, f.offset(), f.type().kind(), delta);
    }

    private long add(K key, long offset, Schema.Kind kind, long delta) {
        return update(key, b -> {
            long[] before = {0};
            table.update(b.key, b.value, (current, into) -> {
                if (current == null) into.fill((byte) 0);
                else MemorySegment.copy(current, 0, into, 0, valueSize);
                before[0] = addInPlace(into, offset, kind, delta);
                return Update.ADD;
            });
            return before[0];
        });
    }

    /** Adds to the integer at {@code offset}, wrapping at its width; returns the value before. */
    private static long addInPlace(MemorySegment v, long offset, Schema.Kind kind, long delta) {
        long old;
        switch (kind) {
            case I8, U8 -> {
                byte x = v.get(Layouts.BYTE, offset);
                old = kind == Schema.Kind.U8 ? Byte.toUnsignedLong(x) : x;
                v.set(Layouts.BYTE, offset, (byte) (x + delta));
            }
            case I16, U16 -> {
                short x = v.get(Layouts.SHORT, offset);
                old = kind == Schema.Kind.U16 ? Short.toUnsignedLong(x) : x;
                v.set(Layouts.SHORT, offset, (short) (x + delta));
            }
            case I32, U32 -> {
                int x = v.get(Layouts.INT, offset);
                old = kind == Schema.Kind.U32 ? Integer.toUnsignedLong(x) : x;
                v.set(Layouts.INT, offset, (int) (x + delta));
            }
            default -> {
                old = v.get(Layouts.LONG, offset);
                v.set(Layouts.LONG, offset, old + delta);
            }
        }
        return old;
    }

    /** A write of a value given by the caller, deciding under the lock what to do; returns {@code b.found}. */
    private interface Decision {
        int decide(Buffers b, MemorySegment current, MemorySegment into);
    }

    private V write(K key, V value, Decision decision) {
        return update(key, b -> {
            encodeValue(value, b.value);
            table.update(b.key, b.value, (current, into) -> decision.decide(b, current, into));
            return found(b);
        });
    }

    /** What an update left in {@code b.found}: a value of this map, or null. */
    @SuppressWarnings("unchecked")
    private V found(Buffers b) {
        return (V) b.found;
    }

    /** A change of one key, given this thread's buffers with the key encoded. */
    private interface Change<T> {
        T apply(Buffers b);
    }

    /**
     * Runs {@code change} of {@code key} on a writable handle, with this thread's buffers, and turns a closed map
     * and a refused system call into this API's exceptions: the frame of every write.
     */
    private <T> T update(K key, Change<T> change) {
        checkWritable();
        Buffers b = Buffers.take(keySize, valueSize);
        try {
            encodeKey(key, b.key);
            return change.apply(b);
        } catch (IllegalStateException | InternalError e) {
            throw closedOr(e);
        } catch (SyscallException e) {
            throw failed("writing", e);
        } finally {
            b.release();
        }
    }

    // ------------------------------------------------------------------------------------------- whole map

    /**
     * The number of entries. shm: the sum of the segments' counts, read without locks (exact when no write is in
     * flight). bpf: counted with {@code BPF_MAP_LOOKUP_BATCH}, a system call per few hundred entries.
     *
     * @return the number of entries
     */
    public long size() {
        try {
            return table.size();
        } catch (IllegalStateException | InternalError e) {
            throw closedOr(e);
        }
    }

    /** {@return true when {@link #size()} is 0} */
    public boolean isEmpty() {
        return size() == 0;
    }

    /**
     * Removes every entry, one at a time (each removal announced to subscribers). Not atomic: entries put while it
     * runs may remain.
     *
     * @throws MapAccessDeniedException if the handle is read-only
     * @throws LockTimeoutException     if a segment's lock could not be taken within the map's lock timeout
     */
    public void clear() {
        checkWritable();
        try {
            table.clear();
        } catch (IllegalStateException | InternalError e) {
            throw closedOr(e);
        } catch (SyscallException e) {
            throw failed("clearing", e);
        }
    }

    /**
     * The entries, as a snapshot per segment (shm: each segment copied whole at one moment, so no key appears twice,
     * and a key present during the whole iteration appears exactly once; different segments are copied at different
     * moments) or key by key ({@code BPF_MAP_GET_NEXT_KEY} and a lookup each; a key is never returned twice, keys
     * added or removed meanwhile may or may not appear). The iterator does not support {@code remove}; it is safe to
     * share between threads (each entry goes to one of them). An entry whose bytes are no value of the codecs (a
     * peer's garbage) throws {@link InvalidValueException} from {@code hasNext} or {@code next}; the next call goes
     * on with the entries after it.
     *
     * @return an iterator over the entries
     * @throws MapClosedException if this handle is closed (also from {@code hasNext} and {@code next}, if it is
     *                            closed meanwhile)
     */
    @Override
    public Iterator<Map.Entry<K, V>> iterator() {
        return iterator(table.entries());
    }

    /**
     * Calls {@code action} for each entry, as {@link #iterator()} would give them, but on the bpf backend a few hundred
     * entries per system call ({@code BPF_MAP_LOOKUP_BATCH}, whole buckets at a time): the way to dump a large map.
     *
     * @param action gets each entry, in the calling thread
     */
    @Override
    public void forEach(Consumer<? super Map.Entry<K, V>> action) {
        iterator(table.dump()).forEachRemaining(action);
    }

    /**
     * {@link #forEach(Consumer)} with the key and value apart.
     *
     * @param action gets each key and its value, in the calling thread
     */
    public void forEach(BiConsumer<? super K, ? super V> action) {
        forEach((Map.Entry<K, V> e) -> action.accept(e.getKey(), e.getValue()));
    }

    private Iterator<Map.Entry<K, V>> iterator(HashTable.Entries entries) {
        checkOpen();
        return new Iterator<>() {
            private final MemorySegment k = MemorySegment.ofArray(new byte[keySize]);
            private final MemorySegment v = MemorySegment.ofArray(new byte[valueSize]);
            private Map.Entry<K, V> next;
            private boolean done;

            // synchronized: an iterator shared by threads hands each entry to one of them (the cursor below and
            // the key and value buffers are one thread's at a time); the wait is one segment copy or system call
            @Override
            public synchronized boolean hasNext() {
                if (next != null) return true;
                if (done) return false;
                try {
                    if (!entries.next(k, v)) {
                        done = true;
                        return false;
                    }
                } catch (IllegalStateException | InternalError e) {
                    throw closedOr(e);
                }
                next = Map.entry(keys.read(k, 0), values.read(v, 0));
                return true;
            }

            @Override
            public synchronized Map.Entry<K, V> next() {
                if (!hasNext()) throw new NoSuchElementException();
                Map.Entry<K, V> e = next;
                next = null;
                return e;
            }
        };
    }

    /** {@return how full the map is and how well its keys spread (shm: scans every segment)} */
    public HashStats stats() {
        try {
            return table.stats();
        } catch (IllegalStateException | InternalError e) {
            throw closedOr(e);
        }
    }

    // ------------------------------------------------------------------------------------------- transactions

    /**
     * Takes the lock that guards {@code key}: the lock of its segment, which every write of the keys of that segment
     * takes, in every process. Until the guard is closed, this thread's operations on those keys run under it (they
     * do not take it again), and other threads and processes wait for it, so that a group of operations is atomic to
     * them: read a value and write what follows from it, or move a record between keys with {@link #lockAll}. The
     * locks are the taking thread's: other threads' operations wait for them, also those of a thread the guard is
     * handed to; a guard closed by another thread first lets a write that runs under it finish. A lock
     * whose owner died is taken over (the guard says so), as with {@link SharedArray#lock}. Plain {@link #get} takes
     * no lock and does not wait: to read several keys as one moment of the map, use {@link #getAll}.
     *
     * @param key the key
     * @return the held lock
     * @throws LockTimeoutException     if the lock is not free within the map's lock timeout
     * @throws LockAlreadyHeldException if this thread holds it already (locks are not reentrant)
     * @throws MapAccessDeniedException if the handle is read-only
     * @throws InvalidValueException    if the key does not fit the key codec
     */
    public LockGuard lock(K key) {
        return lockAll(List.of(key));
    }

    /**
     * {@link #lock(Object)} with its own timeout.
     *
     * @param key     the key
     * @param timeout how long to wait for the lock
     * @return the held lock
     * @throws LockTimeoutException     if the lock is not free within {@code timeout}
     * @throws LockAlreadyHeldException if this thread holds it already (locks are not reentrant)
     * @throws MapAccessDeniedException if the handle is read-only
     * @throws InvalidValueException    if the key does not fit the key codec
     */
    public LockGuard lock(K key, Duration timeout) {
        return lockStripes(stripesOf(List.of(key)), timeout.toNanos());
    }

    /**
     * Takes the locks that guard {@code keys} (their segments'), in one order that every process uses, so that two
     * processes that lock overlapping sets of keys never deadlock; with one deadline, the map's lock timeout, and
     * none held if it passes. See {@link #lock(Object)}.
     *
     * @param keys the keys
     * @return one guard for all the locks
     * @throws LockTimeoutException     if the locks are not all free within the map's lock timeout (none is held)
     * @throws LockAlreadyHeldException if this thread holds one of them already
     * @throws MapAccessDeniedException if the handle is read-only
     * @throws InvalidValueException    if a key does not fit the key codec
     */
    @SafeVarargs
    public final LockGuard lockAll(K... keys) {
        return lockAll(List.of(keys));
    }

    /**
     * {@link #lockAll(Object[])} of a collection of keys.
     *
     * @param keys the keys
     * @return one guard for all the locks
     * @throws LockTimeoutException     if the locks are not all free within the map's lock timeout (none is held)
     * @throws LockAlreadyHeldException if this thread holds one of them already
     * @throws MapAccessDeniedException if the handle is read-only
     * @throws InvalidValueException    if a key does not fit the key codec
     */
    public LockGuard lockAll(Collection<? extends K> keys) {
        return lockStripes(stripesOf(keys), locks.timeoutNanos());
    }

    /**
     * The values of {@code keys} at one moment: read under their locks ({@link #lockAll}), so that no process's
     * group of operations done under those locks, such as a record moved from one key to another, is seen half done.
     * A key that is absent has no entry in the result, which keeps the order of {@code keys}.
     *
     * @param keys the keys
     * @return the present keys and their values, in the order of {@code keys}
     * @throws LockTimeoutException     if the locks are not all free within the map's lock timeout
     * @throws MapAccessDeniedException if the handle is read-only (a consistent read takes locks; a read-only handle
     *                                  reads one key at a time with {@link #get})
     * @throws InvalidValueException    if a key does not fit the key codec
     */
    public Map<K, V> getAll(Collection<? extends K> keys) {
        int[] stripes = stripesOf(keys);
        Map<K, V> out = new LinkedHashMap<>();
        try (LockGuard ignored = lockStripes(stripes, locks.timeoutNanos())) {
            for (K key : keys) {
                V value = get(key);
                if (value != null) out.put(key, value);
            }
        }
        return out;
    }

    /** The distinct lock stripes of {@code keys}, ascending: the order every process takes them in. */
    private int[] stripesOf(Collection<? extends K> keys) {
        checkOpen();
        if (replicaOf != null) throw ReplicaWriteException.ofLock(name(), replicaOf);
        if (readOnly) throw new MapAccessDeniedException("map '" + name() + "' is open read-only; it cannot take locks");
        Buffers b = Buffers.take(keySize, valueSize);
        try {
            int[] stripes = new int[keys.size()];
            int i = 0;
            for (K key : keys) {
                encodeKey(key, b.key);
                stripes[i++] = table.stripeOf(b.key);
            }
            return Arrays.stream(stripes).distinct().sorted().toArray();
        } finally {
            b.release();
        }
    }

    private LockGuard lockStripes(int[] stripes, long timeoutNanos) {
        long[] records = Arrays.stream(stripes).mapToLong(locks::stripeRecord).toArray();
        int[] noEntry = new int[stripes.length];
        Arrays.fill(noEntry, -1);
        try {
            return HeldLocks.acquireAll(this, locks, records, noEntry, timeoutNanos);
        } catch (IllegalStateException | InternalError e) {
            throw closedOr(e);
        }
    }

    /**
     * Frees the lock that guards {@code key} (its segment's) if, and only if, its owner is dead. (Waiters do this by
     * themselves, and the segment's next writer undoes a write the dead owner cut short; this is for maps nobody waits
     * on, such as from {@code mapsync unlock --force}.)
     *
     * @param key a key the lock guards
     * @return what was done
     * @throws IllegalStateException    if the lock is free or its owner is alive
     * @throws MapAccessDeniedException if the handle is read-only
     */
    public String forceUnlock(K key) {
        int stripe = stripesOf(List.of(key))[0];
        try {
            return locks.forceRelease(locks.stripeRecord(stripe), -1);
        } catch (IllegalStateException | InternalError e) {
            if (region.isClosed() || e instanceof InternalError) throw closedOr(e);
            throw e;
        }
    }

    /** {@return the state of the map's segment locks and change log now, from every process} */
    public SyncStatus syncStatus() {
        checkOpen();
        try {
            int owned = 0, dead = 0;
            for (LockInfo l : locks.held()) {
                if (l.ownerPid() == 0) continue;
                owned++;
                if (!l.ownerAlive()) dead++;
            }
            // a segment's writes are journaled windows, undone by its next writer: no entry is left torn
            return new SyncStatus(changes.head(), changes.subscribers(), changes.waiters(), owned, dead, 0, changes.missed());
        } catch (IllegalStateException | InternalError e) {
            throw closedOr(e);
        }
    }

    /** {@return the segment locks held now (owner, whether it is alive, since when)} */
    public List<LockInfo> locks() {
        checkOpen();
        try {
            return locks.held();
        } catch (IllegalStateException | InternalError e) {
            throw closedOr(e);
        }
    }

    // --------------------------------------------------------------------------------------- notifications

    /**
     * Subscribes to changes of every key, to read by pulling ({@link KeyChangeCursor#poll}). Every change made through
     * the API from now on, by any process, is delivered, or counted as missed if the cursor falls further behind
     * than the map's change log holds.
     *
     * @return the cursor; close it to end the subscription
     * @throws MapAccessDeniedException if the handle is read-only (subscribing registers in the map)
     */
    public KeyChangeCursor<K> changes() {
        return changes(k -> true);
    }

    /**
     * {@link #changes()} of the keys {@code filter} accepts.
     *
     * @param filter which keys' changes to deliver; it runs in the polling thread
     * @return the cursor; close it to end the subscription
     * @throws MapAccessDeniedException if the handle is read-only
     */
    public KeyChangeCursor<K> changes(Predicate<? super K> filter) {
        try {
            return new KeyChangeCursor<>(this, changes, filter);
        } catch (IllegalStateException | InternalError e) {
            throw closedOr(e);
        }
    }

    /**
     * Calls {@code listener} with every change (and every count of missed changes) from now on, on a thread mapsync
     * manages, until the returned subscription is closed. If the listener throws, the subscription ends,
     * {@link Subscription#failure()} holds the exception, and it is logged once (see {@link Subscription}).
     *
     * @param listener gets each event, in sequence order, on the subscription's thread
     * @return the subscription; close it (before this handle) to end it
     * @throws MapAccessDeniedException if the handle is read-only
     */
    public Subscription watch(Consumer<? super KeyChangeEvent<K>> listener) {
        return watch(k -> true, listener);
    }

    /**
     * {@link #watch(Consumer)} of the keys {@code filter} accepts.
     *
     * @param filter   which keys' changes to deliver; it runs on the subscription's thread
     * @param listener gets each event, in sequence order, on the subscription's thread
     * @return the subscription; close it (before this handle) to end it
     * @throws MapAccessDeniedException if the handle is read-only
     */
    public Subscription watch(Predicate<? super K> filter, Consumer<? super KeyChangeEvent<K>> listener) {
        KeyChangeCursor<K> cursor = changes(filter);
        return new Watcher<KeyChangeEvent<K>>("mapsync-watch-" + name(), name(), cursor::poll, cursor, listener);
    }

    /** Unmaps the map. Idempotent; the map itself stays for other processes. */
    @Override
    public void close() {
        region.close();
    }

    @Override
    public String toString() {
        return "SharedHashMap[" + name() + ", " + keys.schema() + " -> " + values.schema() + ", capacity " + capacity()
                + ", " + backend().name().toLowerCase(java.util.Locale.ROOT) + (readOnly ? ", read-only" : "") + "]";
    }

    /** The problems {@link ShmHashTable#verify()} finds (shm maps; empty when sound, and for bpf maps). */
    String verifyTable() {
        return table instanceof ShmHashTable shm ? shm.verify() : "";
    }

    // ------------------------------------------------------------------------------------------------ help

    private void encodeKey(K key, MemorySegment into) {
        if (key == null) throw new InvalidValueException("map '" + name() + "': a key cannot be null");
        try {
            if (zeroKeys) into.fill((byte) 0);
            keys.write(into, 0, key);
        } catch (InvalidValueException e) {
            throw new InvalidValueException("key of map '" + name() + "': " + e.getMessage(), e);
        } catch (ClassCastException e) {
            throw new InvalidValueException("key of map '" + name() + "': a " + keys.schema() + " key cannot be a "
                    + key.getClass().getSimpleName() + " (" + key + ")", e);
        }
    }

    private void encodeValue(V value, MemorySegment into) {
        if (value == null) throw new InvalidValueException("map '" + name() + "': a value cannot be null (remove the key instead)");
        try {
            if (zeroValues) into.fill((byte) 0);
            values.write(into, 0, value);
        } catch (InvalidValueException e) {
            throw new InvalidValueException("value of map '" + name() + "': " + e.getMessage(), e);
        } catch (ClassCastException e) {
            throw new InvalidValueException("value of map '" + name() + "': a " + values.schema() + " value cannot be a "
                    + value.getClass().getSimpleName() + " (" + value + ")", e);
        }
    }

    private void checkWritable() {
        if (replicaOf != null) throw ReplicaWriteException.ofWrite(name(), replicaOf);
        if (readOnly) throw new MapAccessDeniedException("map '" + name() + "' is open read-only; writes are refused");
    }

    private MapSyncException failed(String what, SyscallException e) {
        String m = "map '" + name() + "': " + what + ": " + e.getMessage();
        return e.errno() == Errno.EPERM || e.errno() == Errno.EACCES ? new MapAccessDeniedException(m, e) : new MapSyncException(m, e);
    }

    private void checkOpen() {
        if (region.isClosed()) throw new MapClosedException("map '" + name() + "' is closed");
    }

    /** The exception to throw for a failed access to the memory: the handle was closed, or the memory vanished. */
    RuntimeException closedOr(Throwable e) {
        return AccessFailures.of("map '" + name() + "'", region.isClosed(), e);
    }
}
