package dev.mapsync;

import dev.mapsync.internal.store.AccessFailures;
import dev.mapsync.internal.store.ArrayKind;
import dev.mapsync.internal.store.Opener;
import dev.mapsync.internal.store.ElementIo;
import dev.mapsync.internal.store.KernelMap;
import dev.mapsync.internal.sys.Bpf;
import dev.mapsync.internal.store.PerCpuElementIo;
import dev.mapsync.internal.store.PerCpuValues;
import dev.mapsync.internal.store.MapInfos;
import dev.mapsync.internal.store.MapRegion;
import dev.mapsync.internal.store.ReplicaMark;
import dev.mapsync.internal.sys.Scratch;
import dev.mapsync.internal.codec.FlatRecordAccess;
import dev.mapsync.internal.codec.OwnCodecs;
import dev.mapsync.internal.codec.RecordCodec;
import dev.mapsync.internal.notify.ChangeLog;
import dev.mapsync.internal.notify.SnapshotDiff;
import dev.mapsync.internal.notify.Watcher;
import dev.mapsync.internal.lock.EntryLocks;
import dev.mapsync.internal.lock.HeldLocks;
import dev.mapsync.internal.seq.SeqLocks;
import dev.mapsync.internal.sys.Errno;
import dev.mapsync.internal.sys.SyscallException;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * An array map shared between processes: {@code length()} values of one {@link Schema}, indexed from 0, laid out
 * exactly as the kernel's mmapable BPF array (value {@code i} at {@code i * round_up(value_size, 8)}).
 *
 * <pre>{@code
 * try (var counters = SharedArray.openOrCreate(MapSpec.array("hits", Codec.i64(), 256))) {
 *     counters.longs().getAndAdd(3, 1);        // lock xadd on the shared page
 *     long hits = counters.longs().get(3);
 * }
 * }</pre>
 *
 * <p>Every process that opens the same map (by name, by path, or for bpf maps by pin) sees the same memory. Closing
 * the handle unmaps it; later calls throw {@link MapClosedException}. Closing twice does nothing.
 *
 * <p><b>Threads.</b> A handle is safe to share between any number of threads, platform or virtual: values, slots,
 * locks, updates and subscriptions behave among the threads of a process exactly as among processes. A lock is the
 * handle's, taken by one thread at a time (see {@link LockGuard}); its atomic views ({@link #longs()},
 * {@link #ints()}), cursors and subscriptions are safe to share as well, and work while the handle is open: once it
 * is closed, by any thread, they throw {@link MapClosedException} too.
 *
 * <p><b>Consistency.</b> A value that is one scalar (such as {@code i64}) is read and written with single memory
 * accesses. A wider value (a record, a string, an array) is never torn: {@link #set} writes it under its entry's
 * lock inside a sequence-word window, and {@link #get} decodes it between two reads of that word, retrying while a
 * write is in progress, without ever blocking a writer. A value is made only from bytes that no write overlapped: a
 * record whose components are all primitives from its fields read in place, any other value from a copy; so a
 * record's constructor never runs on a half-written value. Field atomics ({@link #longs(String)}) change one field
 * atomically; a concurrent {@link #get} sees each field whole, but not necessarily the record as any single moment
 * had it.
 *
 * <p><b>Locks.</b> Every entry has a cross-process lock (or shares one of {@link ArraySpec#lockStripes} stripes),
 * and the map has one more, map-wide. Locks are advisory for plain atomics and scalar writes, and taken
 * implicitly by {@link #set} of wider values and by {@link #update}. They survive their owner's death: if the
 * owning process dies (or closes the handle) while holding one, the next process that asks takes it over within
 * tens of milliseconds and {@link LockGuard#previousOwnerDied()} says so. Every wait has a timeout
 * ({@link MapSpec#lockTimeout}, default 30 s).
 *
 * <p>A bpf map whose kernel map cannot be mapped (a foreign array without {@code BPF_F_MMAPABLE}, one with a
 * {@code bpf_spin_lock}, or a pin this process may only read) is reached through {@code bpf(2)}: {@link #get} and
 * {@link #set} copy whole values in and out with a system call each (never torn), and there are no atomic slots
 * ({@link #longs()} and the like throw). {@link #info()} says which path a map takes.
 *
 * <p><b>Failures.</b> An index outside {@code 0..length-1}: {@link IndexOutOfRangeException}. A value that does not
 * fit the schema: {@link InvalidValueException}. A write, lock or subscription through a read-only handle:
 * {@link MapAccessDeniedException}. A lock not obtained in time: {@link LockTimeoutException}. A call after
 * {@link #close()}: {@link MapClosedException}. A word of the map no process following docs/FORMAT.md writes, or
 * memory that vanished under the handle (its file truncated by another process): {@link CorruptMapException}. In
 * each case nothing was written.
 *
 * @param <V> the Java type of a value
 */
public final class SharedArray<V> implements SharedMap {
    private final MapRegion region;
    private final Codec<V> codec;
    private final MemorySegment data;
    private final long stride;
    private final int length;
    private final int valueSize;
    /** True when this handle refuses writes: it is read-only, or its map is a replica it does not keep. */
    private final boolean readOnly;
    /** The leader of a replica this handle may not write (empty when unknown), else null. */
    private final String replicaOf;
    /** True when a value is one scalar: single memory accesses are atomic, no sequence word is needed. */
    private final boolean scalar;
    /** True when the codec refuses no value but null, so a value is written in place rather than encoded first. */
    private final boolean writesInPlace;
    /** Whether a value's scratch is zeroed before the codec writes it: a codec of one's own ({@link OwnCodecs}). */
    private final boolean zeroScratch;
    /**
     * The compiled access of a record of primitives in mapped memory, which {@link #get} uses to read in place under
     * the sequence word; else null.
     */
    private final FlatRecordAccess mappedRecord;
    private final EntryLocks locks;
    private final SeqLocks seq;
    private final ChangeLog changes;
    /** Non-null only when the values cannot be mapped and are copied through system calls. */
    private final ElementIo syscallOnly;

    private SharedArray(MapRegion region, Codec<V> codec, MapLocation location) {
        this.region = region;
        this.codec = codec;
        this.syscallOnly = region.data() == null ? region.elementIo() : null;
        // exactly the values: the segment's bounds check is then also the index check (see LongSlots)
        this.data = syscallOnly != null ? null
                : region.data().asSlice(0, (long) region.header().entries() * region.header().stride());
        this.stride = region.header().stride();
        this.length = region.header().entries();
        this.valueSize = region.header().valueSize();
        this.replicaOf = ReplicaMark.refusingLeader(region, location.isReplica());
        this.readOnly = region.readOnly() || replicaOf != null;
        this.scalar = codec.schema().kind().isScalar();
        FlatRecordAccess compiled = codec instanceof RecordCodec<?> records ? records.compiled() : null;
        this.writesInPlace = compiled != null;
        this.zeroScratch = !OwnCodecs.writesEveryByte(codec);
        this.mappedRecord = syscallOnly == null ? compiled : null;
        this.locks = new EntryLocks(region.control(), region.header(), region.lockFd(), region.readOnly(), region.name(),
                location.lockTimeout());
        this.seq = new SeqLocks(region.control(), locks, region.lockFd(), region.name());
        this.changes = new ChangeLog(region.control(), region.header(), locks.token(), region.lockFd(), region.name());
    }

    private static <V> SharedArray<V> wrap(MapRegion region, Codec<V> codec, MapLocation location) {
        return region.into(r -> new SharedArray<>(r, codec, location));
    }

    /** A handle of the map at {@code location}, with the codec of its own value schema. */
    private static SharedArray<Object> adopt(MapRegion region, MapLocation location) {
        return region.into(r -> new SharedArray<>(r, Codec.of(Schema.parse(r.header().valueSchema())), location));
    }

    /**
     * Creates a new map.
     *
     * @param spec the map's blueprint
     * @param <V>  the Java type of a value
     * @return the handle, for reading and writing
     * @throws MapExistsException       if a map of that name exists
     * @throws MapAccessDeniedException if the folder (or bpffs) refuses
     */
    public static <V> SharedArray<V> create(ArraySpec<V> spec) {
        return wrap(Opener.create(spec.blueprint(), ArrayKind.INSTANCE), spec.codec(), spec.location());
    }

    /**
     * Opens an existing map for reading and writing, after checking it against the spec.
     *
     * @param spec the map's blueprint
     * @param <V>  the Java type of a value
     * @return the handle
     * @throws MapNotFoundException     if there is no such map
     * @throws IncompatibleMapException if the map differs from the spec; the message names the field
     * @throws CorruptMapException      if the file is not a complete map of a version this library reads
     */
    public static <V> SharedArray<V> open(ArraySpec<V> spec) {
        return wrap(Opener.open(spec.blueprint(), false, ArrayKind.INSTANCE), spec.codec(), spec.location());
    }

    /**
     * Opens the existing array map at {@code location} as it is: its values are read with a codec of its own value
     * schema ({@link Codec#of(Schema)}: structs are {@code Map<String, Object>}).
     *
     * @param location the map
     * @return the handle, for reading and writing
     * @throws MapNotFoundException     if there is no such map
     * @throws IncompatibleMapException if it is not an array map
     * @throws CorruptMapException      if the file is not a complete map of a version this library reads
     */
    public static SharedArray<Object> open(MapLocation location) {
        return adopt(Opener.open(location.blueprint(), false, ArrayKind.INSTANCE), location);
    }

    /**
     * Opens an existing map for reading only: it is mapped {@code PROT_READ}, and every write through the handle
     * throws {@link MapAccessDeniedException}.
     *
     * @param spec the map's blueprint
     * @param <V>  the Java type of a value
     * @return the read-only handle
     * @throws MapNotFoundException     if there is no such map
     * @throws IncompatibleMapException if the map differs from the spec; the message names the field
     * @throws CorruptMapException      if the file is not a complete map of a version this library reads
     */
    public static <V> SharedArray<V> openReadOnly(ArraySpec<V> spec) {
        return wrap(Opener.open(spec.blueprint(), true, ArrayKind.INSTANCE), spec.codec(), spec.location());
    }

    /**
     * {@link #open(MapLocation)} for reading only.
     *
     * @param location the map
     * @return the read-only handle
     * @throws MapNotFoundException     if there is no such map
     * @throws IncompatibleMapException if it is not an array map
     * @throws CorruptMapException      if the file is not a complete map of a version this library reads
     */
    public static SharedArray<Object> openReadOnly(MapLocation location) {
        return adopt(Opener.open(location.blueprint(), true, ArrayKind.INSTANCE), location);
    }

    /**
     * Opens the map if it exists (checking it against the spec), else creates it. Concurrent callers get one map.
     *
     * @param spec the map's blueprint
     * @param <V>  the Java type of a value
     * @return the handle, for reading and writing
     * @throws IncompatibleMapException if the existing map differs from the spec; the message names the field
     * @throws MapAccessDeniedException if the folder (or bpffs) refuses
     */
    public static <V> SharedArray<V> openOrCreate(ArraySpec<V> spec) {
        return wrap(Opener.openOrCreate(spec.blueprint(), ArrayKind.INSTANCE), spec.codec(), spec.location());
    }

    /** {@return the map's name} */
    public String name() {
        return region.name();
    }

    /** {@return the number of values} */
    public int length() {
        return length;
    }

    /** {@return the codec of the values} */
    public Codec<V> codec() {
        return codec;
    }

    /** {@return true if this handle was opened read-only} */
    public boolean isReadOnly() {
        return region.readOnly();
    }

    /** {@return {@link Backend#BPF} for a kernel array map} */
    @Override
    public Backend backend() {
        return region.header().storage();
    }

    /** {@return true once {@link #close()} was called} */
    @Override
    public boolean isClosed() {
        return region.isClosed();
    }

    /**
     * {@return what the map's header says about it, read now}
     *
     * @throws MapClosedException if this handle is closed
     */
    @Override
    public MapInfo info() {
        checkOpen();
        return MapInfos.ofOpen(region);
    }

    /**
     * Reads value {@code index}: never torn (see Consistency above), and never blocking a writer; of a per-CPU array
     * ({@link ArraySpec#perCpu}), the sum of the CPUs' values ({@link PerCpu#sum()}).
     *
     * @param index the entry
     * @return its value
     * @throws IndexOutOfRangeException if {@code index} is not in {@code 0..length-1}
     * @throws TornEntryException       if its writer died in the middle of writing it
     * @throws LockTimeoutException     if a live writer's write stayed in progress for the whole lock timeout, or the
     *                                  entry changed under every attempt to read it for that long
     */
    @SuppressWarnings("unchecked")
    public V get(int index) {
        long offset = offset(index);
        if (mappedRecord != null) {
            // kept small, so that the JIT inlines it into callers: every other kind of value goes through getOther
            try {
                Object value = seq.readRecord(locks.recordOf(index), mappedRecord, data, offset); // only whole fields
                if (value != null) return (V) value;
            } catch (RuntimeException closedOrRefused) {
                // a closed map, or a constructor that refused the value: the copying read below says which
            }
            return getCopied(locks.recordOf(index), index, offset);
        }
        return getOther(index, offset);
    }

    private V getOther(int index, long offset) {
        if (syscallOnly != null) return getThroughSyscall(index);
        if (scalar) return getScalar(offset);
        // a copy no write overlapped, then the decode: a constructor never sees a half-written value
        return getCopied(locks.recordOf(index), index, offset);
    }

    private V getScalar(long offset) {
        try {
            return codec.read(data, offset);
        } catch (IllegalStateException | InternalError e) {
            throw closedOr(e);
        }
    }

    /**
     * The slow path of {@link #get}: copies the value while no write is in progress, then decodes the copy. Apart,
     * so that the fast path stays small enough for the JIT to inline into callers.
     */
    private V getCopied(long rec, int index, long offset) {
        try {
            MemorySegment copy = Scratch.of(valueSize);
            seq.readConsistent(rec, index, data, offset, copy, valueSize);
            return codec.read(copy, 0);
        } catch (IllegalStateException | InternalError e) {
            throw closedOr(e);
        }
    }

    /**
     * Writes value {@code index}; a value wider than one scalar under the entry's lock (unless this thread holds it).
     *
     * @param index the entry
     * @param value its new value
     * @throws InvalidValueException    if the value does not fit its schema (nothing is written)
     * @throws IndexOutOfRangeException if {@code index} is not in {@code 0..length-1}
     * @throws MapAccessDeniedException if the handle is read-only
     * @throws LockTimeoutException     if the entry's lock could not be taken within the map's lock timeout
     */
    public void set(int index, V value) {
        if (readOnly) throw readOnlyWrite();
        long offset = offset(index);
        if (syscallOnly != null) {
            setThroughSyscall(index, value);
            return;
        }
        try {
            if (scalar) {
                codec.write(data, offset, value);
                changes.record(index, ChangeLog.KIND_WRITE);
                return;
            }
            MemorySegment encoded = null;
            if (!writesInPlace) {
                encoded = Scratch.of(valueSize);
                if (zeroScratch) encoded.asSlice(0, valueSize).fill((byte) 0);
                codec.write(encoded, 0, value); // a value that does not fit is refused here, before any lock
            } else if (value == null) {
                throw new InvalidValueException("the value is null");
            }
            long rec = locks.recordOf(index);
            // under a guard this thread holds, the write says so: a close by another thread waits for it
            boolean reentered = locks.heldByCurrentThread(rec) && locks.enterUnderGuard(rec);
            if (!reentered) locks.acquire(rec, index, locks.timeoutNanos());
            try {
                writeLocked(rec, index, offset, value, encoded);
            } finally {
                if (reentered) locks.leaveUnderGuard(rec);
                else locks.release(rec);
            }
        } catch (IllegalStateException | InternalError e) {
            throw closedOr(e);
        }
    }

    /** Writes {@code encoded}, or {@code value} in place when it is null, inside the stripe's sequence window. */
    private void writeLocked(long rec, int index, long offset, V value, MemorySegment encoded) {
        seq.beginWrite(rec, index);
        if (encoded != null) {
            MemorySegment.copy(encoded, 0, data, offset, valueSize);
        } else {
            try {
                codec.write(data, offset, value);
            } catch (RuntimeException | Error e) {
                seq.cancelWrite(rec); // an accessor threw before the first store: the entry is as it was
                throw e;
            }
        }
        seq.endWrite(rec, index);
        changes.record(index, ChangeLog.KIND_WRITE);
    }

    /**
     * Replaces value {@code index} by {@code fn} of it, under the entry's lock: lock, read, apply, write, unlock.
     * If the lock had to be taken over from a dead owner, {@code fn} still runs, on the value as it was left. If
     * {@code fn} throws, nothing is written and the lock is released.
     *
     * @param index the entry
     * @param fn    the new value from the current one
     * @return the new value
     * @throws LockTimeoutException     if the lock could not be taken within the map's lock timeout
     * @throws LockAlreadyHeldException if this thread holds the entry's lock already (use {@link #get} and
     *                                  {@link #set} under it)
     */
    public V update(int index, UnaryOperator<V> fn) {
        try (LockGuard held = lock(index)) {
            V updated = fn.apply(get(index));
            set(index, updated);
            return updated;
        }
    }

    /**
     * Takes the lock of entry {@code index}, waiting at most the map's lock timeout. Close the guard to release it.
     *
     * @param index the entry
     * @return the held lock
     * @throws LockTimeoutException     naming the owner, whether it is alive, and for how long it has held the lock
     * @throws LockAlreadyHeldException if the calling thread holds it already
     * @throws MapAccessDeniedException if the handle is read-only
     */
    public LockGuard lock(int index) {
        return lock(index, locks.timeoutNanos());
    }

    /**
     * {@link #lock(int)} with its own timeout.
     *
     * @param index   the entry
     * @param timeout how long to wait for the lock
     * @return the held lock
     * @throws LockTimeoutException     naming the owner, whether it is alive, and for how long it has held the lock
     * @throws LockAlreadyHeldException if the calling thread holds it already
     * @throws MapAccessDeniedException if the handle is read-only
     */
    public LockGuard lock(int index, Duration timeout) {
        return lock(index, timeout.toNanos());
    }

    private LockGuard lock(int index, long timeoutNanos) {
        refuseReplicaLock();
        long rec = locks.recordOf(checkIndex(index));
        try {
            boolean died = locks.acquire(rec, index, timeoutNanos);
            return new HeldLocks(this, locks, rec, died);
        } catch (IllegalStateException | InternalError e) {
            throw closedOr(e);
        }
    }

    /**
     * Takes the lock of entry {@code index} if no live owner holds it; never waits. A lock whose owner died is
     * taken over (and the guard says so).
     *
     * @param index the entry
     * @return the guard, or empty if another live owner holds the lock
     * @throws LockAlreadyHeldException if the calling thread holds it already
     * @throws MapAccessDeniedException if the handle is read-only
     */
    public Optional<LockGuard> tryLock(int index) {
        refuseReplicaLock();
        long rec = locks.recordOf(checkIndex(index));
        try {
            int got = locks.tryAcquire(rec, index);
            return got == 0 ? Optional.empty() : Optional.of(new HeldLocks(this, locks, rec, got == 2));
        } catch (IllegalStateException | InternalError e) {
            throw closedOr(e);
        }
    }

    /**
     * Takes the locks of several entries as one: their stripes are taken in ascending order, so two processes
     * locking overlapping sets cannot deadlock. If they cannot all be taken within the map's lock timeout, none is
     * kept. Entries that share a stripe share its lock.
     *
     * @param indexes the entries
     * @return one guard for all the locks
     * @throws LockTimeoutException     if they could not all be taken within the map's lock timeout (none is held)
     * @throws LockAlreadyHeldException if the calling thread holds one of them already
     * @throws MapAccessDeniedException if the handle is read-only
     * @throws IndexOutOfRangeException if an index is not in {@code 0..length-1}
     */
    public LockGuard lockAll(int... indexes) {
        refuseReplicaLock();
        int[] stripes = Arrays.stream(indexes).map(this::checkIndex).map(locks::stripeOf).distinct().sorted().toArray();
        long[] records = Arrays.stream(stripes).mapToLong(locks::stripeRecord).toArray();
        int[] firstIndex = new int[stripes.length];
        for (int i = 0; i < stripes.length; i++) {
            int stripe = stripes[i];
            firstIndex[i] = Arrays.stream(indexes).filter(x -> locks.stripeOf(x) == stripe).min().orElse(-1);
        }
        try {
            return HeldLocks.acquireAll(this, locks, records, firstIndex, locks.timeoutNanos());
        } catch (IllegalStateException | InternalError e) {
            throw closedOr(e);
        }
    }

    /**
     * Takes the map-wide lock. It is separate from the entry locks (it does not stop {@link #set} or {@link #lock}
     * of entries); use it for protocols that span the whole map, such as batch updates among cooperating processes.
     *
     * @return the held lock
     * @throws LockTimeoutException     if it could not be taken within the map's lock timeout
     * @throws LockAlreadyHeldException if the calling thread holds it already
     * @throws MapAccessDeniedException if the handle is read-only
     */
    public LockGuard lockMap() {
        refuseReplicaLock();
        try {
            boolean died = locks.acquire(EntryLocks.MAP_RECORD, -1, locks.timeoutNanos());
            return new HeldLocks(this, locks, EntryLocks.MAP_RECORD, died);
        } catch (IllegalStateException | InternalError e) {
            throw closedOr(e);
        }
    }

    /** {@return the locks held now (and stripes with torn entries): owner, whether it is alive, since when} */
    public List<LockInfo> locks() {
        checkOpen();
        try {
            return locks.held();
        } catch (IllegalStateException | InternalError e) {
            throw closedOr(e);
        }
    }

    /** {@return the state of the map's locks and change log now, from every process} */
    public SyncStatus syncStatus() {
        checkOpen();
        try {
            List<LockInfo> held = locks.held();
            int owned = 0, dead = 0, torn = 0;
            for (LockInfo l : held) {
                if (l.ownerPid() != 0) {
                    owned++;
                    if (!l.ownerAlive()) dead++;
                }
                torn += l.tornEntries().equals(List.of(-1)) ? Math.max(1, length / locks.stripes()) : l.tornEntries().size();
            }
            return new SyncStatus(changes.head(), changes.subscribers(), changes.waiters(), owned, dead, torn,
                    changes.missed());
        } catch (IllegalStateException | InternalError e) {
            throw closedOr(e);
        }
    }

    /**
     * Tells readers that every entry guarded by the stripe of entry {@code index} is whole again. Writing a torn entry
     * already makes it readable; this is needed only when more than four entries of one stripe were left torn by
     * writers that died, which marks the whole stripe as torn. The caller must hold the stripe's lock and must have
     * rewritten (or checked) the stripe's entries.
     *
     * @param index an entry of the stripe
     * @throws IllegalStateException if the calling thread does not hold the lock of that stripe
     */
    public void declareRepaired(int index) {
        long rec = locks.recordOf(checkIndex(index));
        try {
            if (!locks.enterUnderGuard(rec)) {
                throw new IllegalStateException("declareRepaired needs the lock of entry " + index + " of map '" + name()
                        + "', which this thread does not hold");
            }
            try {
                seq.declareRepaired(rec);
            } finally {
                locks.leaveUnderGuard(rec);
            }
        } catch (IllegalStateException | InternalError e) {
            if (region.isClosed() || e instanceof InternalError) throw closedOr(e);
            throw e;
        }
    }

    /**
     * The stripe whose lock guards entry {@code index}.
     *
     * @param index the entry
     * @return the stripe, {@code index % stripes}
     * @throws IndexOutOfRangeException if {@code index} is not in {@code 0..length-1}
     */
    public int stripeOf(int index) {
        return locks.stripeOf(checkIndex(index));
    }

    /**
     * Frees the lock of entry {@code index} if, and only if, its owner is dead; the entry a dead writer was writing
     * is marked torn, as the next owner would find it. (Waiters do this by themselves; this is for maps nobody
     * waits on, such as from {@code mapsync unlock --force}.)
     *
     * @param index the entry
     * @return what was done
     * @throws IllegalStateException if the lock is free or its owner is alive
     */
    public String forceUnlock(int index) {
        try {
            return locks.forceRelease(locks.recordOf(checkIndex(index)), index);
        } catch (IllegalStateException | InternalError e) {
            if (region.isClosed() || e instanceof InternalError) throw closedOr(e);
            throw e;
        }
    }

    /**
     * Atomic access to the values of an {@code i64} or {@code u64} map.
     *
     * @return a new view of the values as slots
     * @throws IllegalArgumentException if the values are not 64-bit integers
     * @throws MapSyncException         if the values cannot be mapped (a bpf map reached through {@code bpf(2)})
     */
    public LongSlots longs() {
        checkMapped();
        Schema.Kind k = codec.schema().kind();
        if (k != Schema.Kind.I64 && k != Schema.Kind.U64) {
            throw new IllegalArgumentException("map '" + name() + "' holds " + codec.schema() + ", not i64 or u64 values");
        }
        return new LongSlots(this, changes, data, 0, stride, length, readOnly);
    }

    /**
     * Atomic access to the values of an {@code i32} or {@code u32} map.
     *
     * @return a new view of the values as slots
     * @throws IllegalArgumentException if the values are not 32-bit integers
     * @throws MapSyncException         if the values cannot be mapped (a bpf map reached through {@code bpf(2)})
     */
    public IntSlots ints() {
        checkMapped();
        Schema.Kind k = codec.schema().kind();
        if (k != Schema.Kind.I32 && k != Schema.Kind.U32) {
            throw new IllegalArgumentException("map '" + name() + "' holds " + codec.schema() + ", not i32 or u32 values");
        }
        return new IntSlots(this, changes, data, 0, stride, length, readOnly);
    }

    /**
     * Atomic access to one 64-bit integer field of every record value; {@code a.b} names a field of a nested struct.
     *
     * @param field the field's name
     * @return a new view of that field of every value as slots
     * @throws MapSyncException         if the values cannot be mapped (a bpf map reached through {@code bpf(2)})
     * @throws IllegalArgumentException if there is no such field, it is not i64 or u64, or it is not 8-byte aligned
     */
    public LongSlots longs(String field) {
        return new LongSlots(this, changes, data, atomicField(field, 8), stride, length, readOnly);
    }

    /**
     * Atomic access to one 32-bit integer field of every record value; {@code a.b} names a field of a nested struct.
     *
     * @param field the field's name
     * @return a new view of that field of every value as slots
     * @throws MapSyncException         if the values cannot be mapped (a bpf map reached through {@code bpf(2)})
     * @throws IllegalArgumentException if there is no such field, it is not i32 or u32, or it is not 4-byte aligned
     */
    public IntSlots ints(String field) {
        return new IntSlots(this, changes, data, atomicField(field, 4), stride, length, readOnly);
    }

    private long atomicField(String name, int width) {
        checkMapped();
        Schema.Field f = codec.schema().field(name).orElseThrow(() -> new IllegalArgumentException(
                "map '" + name() + "' has no field '" + name + "' (its values are " + codec.schema() + ")"));
        Schema.Kind k = f.type().kind();
        boolean rightWidth = k.isInteger() && f.type().size() == width;
        if (!rightWidth) {
            throw new IllegalArgumentException("field '" + name + "' is " + f.type() + "; atomic access needs "
                    + (width == 8 ? "i64 or u64" : "i32 or u32"));
        }
        if (f.offset() % width != 0) {
            throw new IllegalArgumentException("field '" + name + "' is at offset " + f.offset()
                    + ", not aligned to " + width + " bytes, so it cannot be accessed atomically");
        }
        return f.offset();
    }

    /**
     * Subscribes to changes of every entry, to read by pulling ({@link ChangeCursor#poll}). Every change made
     * through the API from now on, by any process, is delivered, or counted as missed if the cursor falls further
     * behind than the map's change log holds.
     *
     * @return the cursor; close it to end the subscription
     * @throws MapAccessDeniedException if the handle is read-only (subscribing registers in the map)
     */
    public ChangeCursor changes() {
        return changes(0, length - 1);
    }

    /**
     * {@link #changes()} of the entries {@code fromKey..toKey} (inclusive) only.
     *
     * @param fromKey the first entry
     * @param toKey   the last entry
     * @return the cursor; close it to end the subscription
     * @throws MapAccessDeniedException if the handle is read-only
     * @throws IndexOutOfRangeException if a key is out of range
     * @throws IllegalArgumentException if the range is empty
     */
    public ChangeCursor changes(int fromKey, int toKey) {
        checkRange(fromKey, toKey);
        try {
            return new ChangeCursor(this, changes, fromKey, toKey);
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
    public Subscription watch(java.util.function.Consumer<? super ChangeEvent> listener) {
        return watch(0, length - 1, listener);
    }

    /**
     * {@link #watch(java.util.function.Consumer)} of the entries {@code fromKey..toKey} (inclusive) only.
     *
     * @param fromKey  the first entry
     * @param toKey    the last entry
     * @param listener gets each event, in sequence order, on the subscription's thread
     * @return the subscription; close it (before this handle) to end it
     * @throws MapAccessDeniedException if the handle is read-only
     * @throws IndexOutOfRangeException if a key is out of range
     * @throws IllegalArgumentException if the range is empty
     */
    public Subscription watch(int fromKey, int toKey, java.util.function.Consumer<? super ChangeEvent> listener) {
        ChangeCursor cursor = changes(fromKey, toKey);
        return new Watcher<ChangeEvent>("mapsync-watch-" + name(), name(), cursor::poll, cursor, listener);
    }

    /**
     * Watches entries {@code fromKey..toKey} by comparing copies of their values every {@code interval}: this sees
     * writes the change log cannot (a C program writing through its own mapping, {@code bpftool}, a BPF program),
     * and works on read-only handles. It sees states, not writes: several changes between two looks show as one,
     * and the events carry no writer pid (0) and sequence numbers of the watcher's own.
     *
     * @param interval how often to look
     * @param fromKey  the first entry
     * @param toKey    the last entry
     * @param listener gets each change seen, on the subscription's thread
     * @return the subscription; close it (before this handle) to end it
     * @throws IndexOutOfRangeException if a key is out of range
     * @throws IllegalArgumentException if the interval is not positive, the range is empty, or its values take more than
     *                                  2^31 - 9 bytes (each look copies them into one array)
     */
    public Subscription watchPolling(Duration interval, int fromKey, int toKey,
                                     java.util.function.Consumer<? super ChangeEvent> listener) {
        checkRange(fromKey, toKey);
        if (interval.isNegative() || interval.isZero()) throw new IllegalArgumentException("interval must be positive");
        // each look copies the range into one array, which holds at most 2^31 - 9 bytes
        long bytes = ((long) toKey - fromKey + 1) * stride;
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("watching entries " + fromKey + ".." + toKey + " of map '" + name()
                    + "' by polling would copy " + bytes + " bytes at each look; watch at most "
                    + (Integer.MAX_VALUE - 8) / stride + " entries at a time");
        }
        SnapshotDiff diff = new SnapshotDiff(() -> snapshot(fromKey, toKey), fromKey, (int) stride, valueSize, interval);
        return new Watcher<ChangeEvent>("mapsync-poll-" + name(), name(), diff::poll, () -> { }, listener);
    }

    /** The bytes of entries {@code fromKey..toKey}, {@code stride} apart. */
    private byte[] snapshot(int fromKey, int toKey) {
        int n = toKey - fromKey + 1;
        byte[] copy = new byte[(int) (n * stride)];
        MemorySegment into = MemorySegment.ofArray(copy);
        try {
            if (syscallOnly == null) {
                MemorySegment.copy(data, fromKey * stride, into, 0, n * stride);
            } else {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment value = arena.allocate(stride, 8);
                    for (int i = 0; i < n; i++) {
                        syscallOnly.load(fromKey + i, value);
                        MemorySegment.copy(value, 0, into, i * stride, stride);
                    }
                }
            }
        } catch (IllegalStateException | InternalError e) {
            throw closedOr(e);
        }
        return copy;
    }

    private void checkRange(int fromKey, int toKey) {
        checkIndex(fromKey);
        checkIndex(toKey);
        if (fromKey > toKey) throw new IllegalArgumentException("key range " + fromKey + ".." + toKey + " is empty");
    }

    /** Unmaps the map. Idempotent; the map itself stays for other processes. */
    @Override
    public void close() {
        region.close();
    }

    @Override
    public String toString() {
        return "SharedArray[" + name() + ", " + length + " x " + codec.schema() + (readOnly ? ", read-only" : "") + "]";
    }

    private long offset(int index) {
        return checkIndex(index) * stride;
    }

    private int checkIndex(int index) {
        if (Integer.compareUnsigned(index, length) >= 0) throw outOfRange(index);
        return index;
    }

    private void checkOpen() {
        if (region.isClosed()) throw new MapClosedException("map '" + name() + "' is closed");
    }

    /** Atomic slots need the values mapped. */
    private void checkMapped() {
        checkOpen();
        if (syscallOnly instanceof PerCpuElementIo) {
            throw new MapSyncException("map '" + name() + "' has no atomic slots: it is a per-CPU array, whose values"
                    + " each CPU updates on its own and only bpf(2) copies; use get (the sum), getPerCpu and set");
        }
        if (syscallOnly != null) {
            throw new MapSyncException("map '" + name() + "' has no atomic slots: its kernel map cannot be mapped into"
                    + " memory (no BPF_F_MMAPABLE, a bpf_spin_lock, or a read-only pin), so its values are copied"
                    + " whole through bpf(2); use get and set");
        }
    }

    /**
     * Gives every entry to {@code action} with its index, in index order. Values the process maps are read as
     * {@link #get} reads them; values reached through {@code bpf(2)} (a kernel map that cannot be mapped, a per-CPU
     * array: the sum of the CPUs' values) are copied a few hundred at a time with {@code BPF_MAP_LOOKUP_BATCH}, each
     * entry as it was when its batch was copied. Thread-safe.
     *
     * @param action gets each value and its index
     * @throws InvalidValueException if an entry's bytes are not a value of the schema
     * @throws MapClosedException    if the handle is closed
     */
    public void forEach(java.util.function.ObjIntConsumer<? super V> action) {
        checkOpen();
        if (syscallOnly == null) {
            for (int i = 0; i < length; i++) action.accept(get(i), i);
            return;
        }
        PerCpuElementIo perCpu = syscallOnly instanceof PerCpuElementIo p ? p : null;
        KernelMap kernel = perCpu != null ? perCpu.map() : (KernelMap) syscallOnly;
        // the kernel copies value_size bytes per element, or round_up(value_size, 8) per CPU of a per-CPU array
        long each = perCpu != null ? PerCpuValues.size(valueSize) : valueSize;
        int room = (int) Math.max(1, Math.min(256, (1 << 20) / each));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocate(8, 8), out = arena.allocate(8, 8);
            MemorySegment keys = arena.allocate(4L * room, 8), values = arena.allocate(each * room, 8);
            MemorySegment value = arena.allocate(stride, 8);
            boolean started = false;
            while (true) {
                Bpf.Batch batch = kernel.lookupBatch(started ? in : MemorySegment.NULL, out, keys, values, room, 0);
                started = true;
                for (int i = 0; i < batch.count(); i++) {
                    MemorySegment element = values.asSlice(i * each, each);
                    if (perCpu != null) PerCpuValues.sum(codec.schema(), element, perCpu.cpus(), value);
                    else MemorySegment.copy(element, 0, value, 0, valueSize);
                    action.accept(codec.read(value, 0), keys.getAtIndex(ValueLayout.JAVA_INT, i));
                }
                if (batch.last()) return;
                MemorySegment.copy(out, 0, in, 0, 8);
            }
        } catch (IllegalStateException | InternalError e) {
            throw closedOr(e);
        } catch (SyscallException e) {
            throw new MapSyncException("map '" + name() + "': reading its values: " + e.getMessage(), e);
        }
    }

    /**
     * Each possible CPU's value of entry {@code index} of a per-CPU array ({@code BPF_MAP_TYPE_PERCPU_ARRAY}) and their
     * sum, all from one {@code BPF_MAP_LOOKUP_ELEM} (each CPU's value is as that CPU last wrote it; the kernel copies
     * them one after the other). Thread-safe.
     *
     * @param index the entry
     * @return the CPUs' values and their sum
     * @throws IncompatibleMapException if the map is not a per-CPU array
     * @throws IndexOutOfRangeException if {@code index} is not in {@code 0..length-1}
     * @throws InvalidValueException    if a CPU's bytes are not a value of the schema (a string that is not UTF-8)
     * @throws MapClosedException       if the handle is closed
     */
    public PerCpu<V> getPerCpu(int index) {
        checkOpen();
        checkIndex(index);
        if (!(syscallOnly instanceof PerCpuElementIo perCpu)) {
            throw new IncompatibleMapException("map '" + name() + "' is not a per-CPU array: it has one value per entry,"
                    + " which get returns", "kernel map type");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment all = arena.allocate(PerCpuValues.size(valueSize), 8);
            perCpu.loadAll(index, all);
            List<V> values = new ArrayList<>(perCpu.cpus());
            for (int cpu = 0; cpu < perCpu.cpus(); cpu++) values.add(codec.read(PerCpuValues.of(all, valueSize, cpu), 0));
            MemorySegment sum = arena.allocate(stride, 8);
            PerCpuValues.sum(codec.schema(), all, perCpu.cpus(), sum);
            return new PerCpu<>(values, codec.read(sum, 0));
        } catch (IllegalStateException | InternalError e) {
            throw closedOr(e);
        } catch (SyscallException e) {
            throw new MapSyncException("map '" + name() + "': reading value " + index + ": " + e.getMessage(), e);
        }
    }

    private V getThroughSyscall(int index) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(stride, 8);
            syscallOnly.load(index, value);
            return codec.read(value, 0);
        } catch (IllegalStateException | InternalError e) {
            throw closedOr(e);
        } catch (SyscallException e) {
            throw new MapSyncException("map '" + name() + "': reading value " + index + ": " + e.getMessage(), e);
        }
    }

    private void setThroughSyscall(int index, V value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bytes = arena.allocate(stride, 8);
            codec.write(bytes, 0, value);
            syscallOnly.store(index, bytes);
            changes.record(index, ChangeLog.KIND_WRITE);
        } catch (IllegalStateException | InternalError e) {
            throw closedOr(e);
        } catch (SyscallException e) {
            throw e.errno() == Errno.EPERM
                    ? new MapAccessDeniedException("map '" + name() + "': writing value " + index + ": " + e.getMessage(), e)
                    : new MapSyncException("map '" + name() + "': writing value " + index + ": " + e.getMessage(), e);
        }
    }

    IndexOutOfRangeException outOfRange(int index) {
        return new IndexOutOfRangeException("index " + index + " is out of range for map '" + name()
                + "' (0.." + (length - 1) + ")");
    }

    MapAccessDeniedException readOnlyWrite() {
        if (replicaOf != null) return ReplicaWriteException.ofWrite(name(), replicaOf);
        return new MapAccessDeniedException("map '" + name() + "' is open read-only; writes are refused");
    }

    /** Locks are for writers: a replica's readers take none (and the follower's writes do not wait for them). */
    private void refuseReplicaLock() {
        if (replicaOf != null) throw ReplicaWriteException.ofLock(name(), replicaOf);
    }

    /** The exception to throw for a failed access to the memory: the handle was closed, or the memory vanished. */
    RuntimeException closedOr(Throwable e) {
        return AccessFailures.of("map '" + name() + "'", region.isClosed(), e);
    }
}
