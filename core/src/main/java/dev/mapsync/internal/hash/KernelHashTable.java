package dev.mapsync.internal.hash;

import dev.mapsync.internal.btf.BtfWriter;
import dev.mapsync.internal.store.KernelMap;
import dev.mapsync.internal.store.PerCpuValues;
import dev.mapsync.internal.sys.Cpus;
import dev.mapsync.internal.sys.Bpf;
import dev.mapsync.HashStats;
import dev.mapsync.MapFullException;
import dev.mapsync.internal.hooks.TestHooks;
import dev.mapsync.internal.sys.Errno;
import dev.mapsync.internal.sys.SyscallException;
import dev.mapsync.internal.notify.ChangeLog;
import dev.mapsync.internal.lock.EntryLocks;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;

/**
 * A hash map held by a kernel {@code BPF_MAP_TYPE_HASH} or {@code LRU_HASH}, every operation a {@code bpf(2)} call:
 * kernel hash maps cannot be mapped into memory.
 *
 * <ul>
 * <li>{@link #get}: {@code BPF_MAP_LOOKUP_ELEM}, no lock. With a spin-locked value ({@code BPF_F_LOCK}) the kernel
 *     copies the value under the element's {@code bpf_spin_lock}, so the copy is whole even against BPF programs that
 *     take that lock; without one, a lookup racing an update of the same key may copy a mix (kernel semantics).</li>
 * <li>{@link #write} (a blind store): {@code BPF_MAP_UPDATE_ELEM} with {@code BPF_ANY}, under the key's stripe lock.</li>
 * <li>{@link #update}: under the lock of the key's stripe in the sidecar (so that mapsync processes' read-modify-write
 *     operations are atomic among themselves): lookup, decide, then {@code BPF_MAP_UPDATE_ELEM} with
 *     {@code BPF_NOEXIST} for a new key or {@code BPF_EXIST} for a present one, or {@code BPF_MAP_DELETE_ELEM}. When
 *     the kernel says the key appeared or vanished meanwhile (a BPF program, or a process that does not use mapsync,
 *     changed it), the update is decided again on what is there now. E2BIG means the map is full.</li>
 * <li>{@link #entries}: {@code BPF_MAP_GET_NEXT_KEY} then a lookup per key. When the key it stands on is deleted, the
 *     kernel restarts from the first key; keys already returned are skipped, so none is returned twice.</li>
 * <li>{@link #dump}: {@code BPF_MAP_LOOKUP_BATCH}, bucket by bucket, a few hundred elements per call.</li>
 * </ul>
 */
public final class KernelHashTable implements HashTable {
    private static final int BATCH = 256;
    private static final int MAX_ATTEMPTS = 1000;

    private final KernelMap map;
    private final EntryLocks locks;
    private final ChangeLog changes;
    private final String mapName;
    private final int keySize;
    private final int valueSize;
    /** The size of the kernel's value: the value, or the spin lock and the value behind it. */
    private final int kernelValueSize;
    /** Where the value starts in the kernel's value. */
    private final int valueOffset;
    private final long lockFlag;
    private final int stripes;
    /** The value's schema: a per-CPU map's values are summed field by field. */
    private final dev.mapsync.Schema schema;
    /** The possible CPUs of a per-CPU map (each key has a value per CPU), else 0. */
    private final int cpus;

    public KernelHashTable(KernelMap map, int keySize, dev.mapsync.Schema value, boolean spinLock, EntryLocks locks,
                           ChangeLog changes, String mapName) {
        this(map, keySize, value, spinLock, map.info().isPerCpu() ? Cpus.possible() : 0, locks, changes, mapName);
    }

    private KernelHashTable(KernelMap map, int keySize, dev.mapsync.Schema value, boolean spinLock, int cpus,
                            EntryLocks locks, ChangeLog changes, String mapName) {
        this.map = map;
        this.locks = locks;
        this.changes = changes;
        this.mapName = mapName;
        this.keySize = keySize;
        this.valueSize = value.size();
        this.schema = value;
        this.cpus = cpus;
        // a per-CPU map copies one value per possible CPU, each round_up(value_size, 8) apart (PerCpuValues)
        this.kernelValueSize = cpus > 0 ? (int) (cpus * PerCpuValues.stride(valueSize))
                : spinLock ? BtfWriter.lockedValueSize(value) : valueSize;
        this.valueOffset = spinLock ? BtfWriter.lockedValueOffset(value) : 0;
        this.lockFlag = spinLock ? Bpf.F_LOCK : 0;
        this.stripes = locks.stripes();
    }

    /** A thread's native buffers: the kernel reads and writes keys and values at their addresses. */
    private static final class Native {
        private static final ThreadLocal<Native> LOCAL = ThreadLocal.withInitial(Native::new);
        private final Arena arena = Arena.ofAuto();
        private MemorySegment key = MemorySegment.NULL, value = MemorySegment.NULL, other = MemorySegment.NULL;
        /** A per-CPU map's sum of the CPUs' values, which an update decides on. */
        private MemorySegment sum = MemorySegment.NULL;
        private boolean busy;

        static Native take(int keySize, int valueSize) {
            Native n = LOCAL.get();
            if (n.busy) n = new Native(); // a compute function using another map on this thread
            n.busy = true;
            if (n.key.byteSize() < keySize) n.key = n.arena.allocate(Math.max(8, keySize), 8);
            if (n.value.byteSize() < valueSize) {
                n.value = n.arena.allocate(Math.max(8, valueSize), 8);
                n.other = n.arena.allocate(Math.max(8, valueSize), 8);
                n.sum = n.arena.allocate(Math.max(8, valueSize), 8);
            }
            return n;
        }

        void release() {
            busy = false;
        }
    }

    @Override
    public boolean get(MemorySegment key, MemorySegment valueOut) {
        Native n = Native.take(keySize, kernelValueSize);
        try {
            MemorySegment.copy(key, 0, n.key, 0, keySize);
            if (!map.lookup(n.key, n.value, lockFlag)) return false;
            if (valueOut != null) fromKernel(n.value, 0, valueOut);
            return true;
        } finally {
            n.release();
        }
    }

    /** Begins an operation under the lock of {@code rec}; gives {@code n} back if that fails. */
    private boolean begin(long rec, Native n) {
        try {
            return locks.beginOperation(rec, -1, locks.timeoutNanos());
        } catch (RuntimeException | Error e) {
            n.release();
            throw e;
        }
    }

    @Override
    public int stripeOf(MemorySegment key) {
        return KeyHash.segment(KeyHash.of(key, 0, keySize, 0), stripes);
    }

    @Override
    public boolean update(MemorySegment key, MemorySegment into, Update update) {
        long rec = locks.stripeRecord(stripeOf(key));
        Native n = Native.take(keySize, kernelValueSize);
        boolean took = begin(rec, n);
        try {
            MemorySegment.copy(key, 0, n.key, 0, keySize);
            for (int attempt = 0; ; attempt++) {
                if (attempt == MAX_ATTEMPTS) {
                    throw new dev.mapsync.MapSyncException("map '" + mapName + "': the key kept appearing and vanishing"
                            + " between lookup and update (" + MAX_ATTEMPTS + " times); something outside mapsync is"
                            + " inserting and deleting it");
                }
                boolean present = map.lookup(n.key, n.value, lockFlag);
                MemorySegment now = null;
                if (present && cpus > 0) {
                    fromKernel(n.value, 0, n.sum);
                    now = n.sum.asSlice(0, valueSize);
                } else if (present) {
                    now = n.value.asSlice(valueOffset, valueSize);
                }
                int action = update.decide(now, into);
                if (action == Update.ADD && cpus > 0) throw perCpuAdd();
                switch (action) {
                    case Update.WRITE, Update.ADD -> {
                        if (TestHooks.ENABLED) {
                            TestHooks.hashWindowOpened();
                            TestHooks.hashMidWindow();
                        }
                        toKernel(into, n.other);
                        int refused = map.update(n.key, n.other, (present ? Bpf.EXIST : Bpf.NOEXIST) | lockFlag);
                        if (refused == Errno.E2BIG) throw full();
                        if (refused != 0) continue; // the key appeared or vanished under us: decide again
                        changes.record(-1, action == Update.ADD ? ChangeLog.KIND_ATOMIC : ChangeLog.KIND_WRITE, key);
                        return present;
                    }
                    case Update.REMOVE -> {
                        if (!present) return false;
                        if (TestHooks.ENABLED) {
                            TestHooks.hashWindowOpened();
                            TestHooks.hashMidWindow();
                        }
                        if (!map.delete(n.key)) continue;
                        changes.record(-1, ChangeLog.KIND_REMOVE, key);
                        return true;
                    }
                    default -> {
                        return present;
                    }
                }
            }
        } finally {
            n.release();
            locks.endOperation(rec, took);
        }
    }

    /** One {@code BPF_MAP_UPDATE_ELEM} with {@code BPF_ANY}, under the key's stripe lock (no lookup is needed). */
    @Override
    public void write(MemorySegment key, MemorySegment value) {
        long rec = locks.stripeRecord(stripeOf(key));
        Native n = Native.take(keySize, kernelValueSize);
        boolean took = begin(rec, n);
        try {
            MemorySegment.copy(key, 0, n.key, 0, keySize);
            toKernel(value, n.other);
            if (map.update(n.key, n.other, Bpf.ANY | lockFlag) == Errno.E2BIG) throw full();
            changes.record(-1, ChangeLog.KIND_WRITE, key);
        } finally {
            n.release();
            locks.endOperation(rec, took);
        }
    }

    /**
     * Copies every CPU's value of {@code key} of a per-CPU map into {@code allOut} ({@link #perCpuSize()} bytes, as
     * {@link PerCpuValues} lays them out); false when the key is absent.
     */
    public boolean getPerCpu(MemorySegment key, MemorySegment allOut) {
        Native n = Native.take(keySize, kernelValueSize);
        try {
            MemorySegment.copy(key, 0, n.key, 0, keySize);
            if (!map.lookup(n.key, n.value, 0)) return false;
            MemorySegment.copy(n.value, 0, allOut, 0, kernelValueSize);
            return true;
        } finally {
            n.release();
        }
    }

    /** The possible CPUs of a per-CPU map, whose values {@link #getPerCpu} copies; 0 for any other map. */
    public int cpus() {
        return cpus;
    }

    /** The bytes of one key's values of every CPU, for {@link #getPerCpu}. */
    public int perCpuSize() {
        return kernelValueSize;
    }

    /** The value of the kernel's bytes at {@code offset}: a per-CPU map's sum, else the value behind any lock. */
    private void fromKernel(MemorySegment kernel, long offset, MemorySegment valueOut) {
        if (cpus > 0) {
            PerCpuValues.sum(schema, kernel.asSlice(offset, kernelValueSize), cpus, valueOut);
        } else {
            MemorySegment.copy(kernel, offset + valueOffset, valueOut, 0, valueSize);
        }
    }

    /**
     * The kernel's bytes of {@code value}: every CPU's value of a per-CPU map, else the value between a zero lock and
     * zero padding. The kernel stores every byte it is given, and {@code kernel} is a thread's buffer that held
     * other maps' values before.
     */
    private void toKernel(MemorySegment value, MemorySegment kernel) {
        if (cpus > 0) {
            PerCpuValues.replicate(value, valueSize, kernel.asSlice(0, kernelValueSize), cpus);
        } else {
            if (valueOffset != 0) kernel.asSlice(0, valueOffset).fill((byte) 0);
            MemorySegment.copy(value, 0, kernel, valueOffset, valueSize);
            long end = valueOffset + valueSize;
            if (end < kernelValueSize) kernel.asSlice(end, kernelValueSize - end).fill((byte) 0);
        }
    }

    private dev.mapsync.MapSyncException perCpuAdd() {
        return new dev.mapsync.MapSyncException("map '" + mapName + "' is a per-CPU hash map: an add would write the new"
                + " sum as every CPU's value; read the sum with get, or set a value (every CPU's)");
    }

    private MapFullException full() {
        return new MapFullException("map '" + mapName + "' is full: its kernel hash map holds its max_entries ("
                + map.info().maxEntries() + ") and refused the new key (E2BIG); remove keys, or create it larger (or as"
                + " an LRU map, which evicts)");
    }

    @Override
    public long size() {
        long[] total = {0};
        eachBatch((keys, values, count) -> total[0] += count);
        return total[0];
    }

    @Override
    public void clear() {
        Native n = Native.take(keySize, kernelValueSize);
        try {
            // bounded, in case BPF programs keep inserting while we delete
            long limit = 2L * map.info().maxEntries() + 16;
            for (long i = 0; i < limit && map.nextKey(MemorySegment.NULL, n.key); i++) {
                long rec = locks.stripeRecord(stripeOf(n.key));
                boolean took = locks.beginOperation(rec, -1, locks.timeoutNanos());
                try {
                    if (map.delete(n.key)) changes.record(-1, ChangeLog.KIND_REMOVE, n.key.asSlice(0, keySize));
                } finally {
                    locks.endOperation(rec, took);
                }
            }
        } finally {
            n.release();
        }
    }

    @Override
    public Entries entries() {
        return new Entries() {
            private final Arena arena = Arena.ofAuto();
            private final MemorySegment current = arena.allocate(Math.max(8, keySize), 8);
            private final MemorySegment next = arena.allocate(Math.max(8, keySize), 8);
            private final MemorySegment value = arena.allocate(Math.max(8, kernelValueSize), 8);
            private final Set<ByteBuffer> returned = new HashSet<>();
            private boolean started;

            @Override
            public boolean next(MemorySegment keyOut, MemorySegment valueOut) {
                while (map.nextKey(started ? current : MemorySegment.NULL, next)) {
                    started = true;
                    MemorySegment.copy(next, 0, current, 0, keySize);
                    byte[] k = current.asSlice(0, keySize).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                    if (!returned.add(ByteBuffer.wrap(k))) continue; // the kernel restarted from the first key
                    if (!map.lookup(current, value, lockFlag)) continue; // deleted since
                    MemorySegment.copy(current, 0, keyOut, 0, keySize);
                    fromKernel(value, 0, valueOut);
                    return true;
                }
                return false;
            }
        };
    }

    /** The entries by {@code BPF_MAP_LOOKUP_BATCH}: each call copies whole buckets, a few hundred entries at a time. */
    @Override
    public Entries dump() {
        return new Entries() {
            private final Arena arena = Arena.ofAuto();
            private final MemorySegment in = arena.allocate(8, 8);
            private final MemorySegment out = arena.allocate(8, 8);
            private int room = BATCH;
            private MemorySegment keys = arena.allocate((long) room * keySize, 8);
            private MemorySegment values = arena.allocate((long) room * kernelValueSize, 8);
            private int count, at;
            private boolean started, last;

            @Override
            public boolean next(MemorySegment keyOut, MemorySegment valueOut) {
                while (at >= count) {
                    if (last) return false;
                    fetch();
                }
                MemorySegment.copy(keys, (long) at * keySize, keyOut, 0, keySize);
                fromKernel(values, (long) at * kernelValueSize, valueOut);
                at++;
                return true;
            }

            private void fetch() {
                while (true) {
                    try {
                        Bpf.Batch b = map.lookupBatch(started ? in : MemorySegment.NULL, out, keys, values, room, lockFlag);
                        started = true;
                        count = b.count();
                        at = 0;
                        last = b.last();
                        MemorySegment.copy(out, 0, in, 0, 8);
                        return;
                    } catch (SyscallException e) {
                        if (e.errno() != Errno.ENOSPC) throw e;
                        room *= 2; // one bucket holds more than the batch had room for
                        keys = arena.allocate((long) room * keySize, 8);
                        values = arena.allocate((long) room * kernelValueSize, 8);
                    }
                }
            }
        };
    }

    private interface BatchSink {
        void accept(MemorySegment keys, MemorySegment values, int count);
    }

    private void eachBatch(BatchSink sink) {
        try (Arena arena = Arena.ofConfined()) {
            int room = BATCH;
            MemorySegment in = arena.allocate(8, 8), out = arena.allocate(8, 8);
            MemorySegment keys = arena.allocate((long) room * keySize, 8);
            MemorySegment values = arena.allocate((long) room * kernelValueSize, 8);
            boolean started = false;
            while (true) {
                Bpf.Batch b;
                try {
                    b = map.lookupBatch(started ? in : MemorySegment.NULL, out, keys, values, room, lockFlag);
                } catch (SyscallException e) {
                    if (e.errno() != Errno.ENOSPC) throw e;
                    room *= 2;
                    keys = arena.allocate((long) room * keySize, 8);
                    values = arena.allocate((long) room * kernelValueSize, 8);
                    continue;
                }
                started = true;
                sink.accept(keys, values, b.count());
                if (b.last()) return;
                MemorySegment.copy(out, 0, in, 0, 8);
            }
        }
    }

    @Override
    public HashStats stats() {
        int max = map.info().maxEntries();
        return new HashStats(size(), max, stripes, max, -1, 0);
    }
}
