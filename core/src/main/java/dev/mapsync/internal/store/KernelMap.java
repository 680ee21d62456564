package dev.mapsync.internal.store;

import dev.mapsync.internal.sys.KernelMapInfo;
import dev.mapsync.internal.sys.LoadedBtf;
import dev.mapsync.internal.btf.Btf;
import dev.mapsync.internal.btf.BtfWriter;
import dev.mapsync.internal.sys.Bpf;
import dev.mapsync.IncompatibleMapException;
import dev.mapsync.Schema;
import dev.mapsync.internal.sys.Arch;
import dev.mapsync.internal.sys.Errno;
import dev.mapsync.internal.sys.LibC;
import dev.mapsync.internal.sys.SyscallException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * An open descriptor of a kernel BPF map, what the kernel said of the map when it was opened, and the mappings
 * of its values. Closing it unmaps them and closes the descriptor; the map itself lives on while a pin, another
 * descriptor, a mapping or a program holds it.
 *
 * <p>As an {@link ElementIo} it reads and writes element {@code i} with {@code BPF_MAP_LOOKUP_ELEM} and
 * {@code BPF_MAP_UPDATE_ELEM}; a lock keeps {@link #close} from recycling the descriptor under a call in flight.
 */
public final class KernelMap implements ElementIo, AutoCloseable {
    private final int fd;
    private final KernelMapInfo info;
    private final boolean writable;
    private final Arena mappings = Arena.ofShared();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    private KernelMap(int fd, KernelMapInfo info, boolean writable) {
        this.fd = fd;
        this.info = info;
        this.writable = writable;
    }

    /**
     * Creates a {@code BPF_MAP_TYPE_ARRAY} with {@code BPF_F_MMAPABLE} of {@code entries} values of {@code value},
     * a u32 key, and BTF that names the value's fields.
     */
    public static KernelMap createArray(String name, Schema value, int entries) {
        try (LoadedBtf btf = Btf.load(BtfWriter.forArray(name, value))) {
            int fd = Bpf.mapCreate(KernelMapInfo.TYPE_ARRAY, 4, value.size(), entries, KernelMapInfo.F_MMAPABLE, name, btf);
            return describe(fd, true);
        }
    }

    /**
     * Creates a {@code BPF_MAP_TYPE_PERCPU_ARRAY} of {@code entries} elements, each one value of {@code value} per
     * possible CPU, a u32 key, and BTF that names the value's fields. It cannot be mapped (no {@code BPF_F_MMAPABLE}).
     */
    public static KernelMap createPerCpuArray(String name, Schema value, int entries) {
        try (LoadedBtf btf = Btf.load(BtfWriter.forArray(name, value))) {
            int fd = Bpf.mapCreate(KernelMapInfo.TYPE_PERCPU_ARRAY, 4, value.size(), entries, 0, name, btf);
            return describe(fd, true);
        }
    }

    /**
     * Creates a {@code BPF_MAP_TYPE_RINGBUF} of {@code size} bytes of records (a power of two and a multiple of the
     * page size; key and value size 0).
     */
    public static KernelMap createRingBuf(String name, int size) {
        int fd = Bpf.mapCreate(KernelMapInfo.TYPE_RINGBUF, 0, 0, size, 0, name, null);
        return describe(fd, true);
    }

    /** Creates a {@code BPF_MAP_TYPE_USER_RINGBUF} of {@code size} bytes, as {@link #createRingBuf} makes a ringbuf. */
    public static KernelMap createUserRingBuf(String name, int size) {
        int fd = Bpf.mapCreate(KernelMapInfo.TYPE_USER_RINGBUF, 0, 0, size, 0, name, null);
        return describe(fd, true);
    }

    /**
     * Creates a {@code BPF_MAP_TYPE_HASH} (or {@code LRU_HASH}) of up to {@code entries} keys of {@code key} to
     * values of {@code value}, with BTF naming both; with {@code spinLock} the kernel value is
     * {@code struct { struct bpf_spin_lock lock; V value; }} (see {@link BtfWriter#forHash}). Preallocated: the
     * kernel refuses an insert beyond {@code entries} with E2BIG (an LRU map evicts instead).
     */
    public static KernelMap createHash(String name, Schema key, Schema value, int entries, boolean lru, boolean spinLock) {
        return createHash(name, key, value, entries, lru, spinLock, false);
    }

    /**
     * {@link #createHash(String, Schema, Schema, int, boolean, boolean)}, or with {@code perCpu} a
     * {@code BPF_MAP_TYPE_PERCPU_HASH} ({@code LRU_PERCPU_HASH}): one value per possible CPU for each key.
     */
    public static KernelMap createHash(String name, Schema key, Schema value, int entries, boolean lru, boolean spinLock,
                                       boolean perCpu) {
        try (LoadedBtf btf = Btf.load(BtfWriter.forHash(name, key, value, spinLock))) {
            int valueSize = spinLock ? BtfWriter.lockedValueSize(value) : value.size();
            int type = perCpu ? (lru ? KernelMapInfo.TYPE_LRU_PERCPU_HASH : KernelMapInfo.TYPE_PERCPU_HASH)
                    : lru ? KernelMapInfo.TYPE_LRU_HASH : KernelMapInfo.TYPE_HASH;
            int fd = Bpf.mapCreate(type, key.size(), valueSize, entries, 0, name, btf);
            return describe(fd, true);
        }
    }

    /**
     * Opens the map pinned at {@code pin}. The descriptor is read-write even for a reader, because the kernel maps
     * values only through a writable descriptor (a reader maps them {@code PROT_READ}); when the pin grants a
     * reader only read permission, the descriptor is read-only and the values are reached through
     * {@code bpf(2)}.
     *
     * @throws SyscallException         from {@code BPF_OBJ_GET}: ENOENT (no pin), EACCES (the pin's mode refuses)
     * @throws IncompatibleMapException if the pin holds a program, a link or anything else but a map
     */
    public static KernelMap openPin(String name, Path pin, boolean readOnly) {
        int fd;
        boolean writable = true;
        try {
            fd = Bpf.objGet(pin, 0);
        } catch (SyscallException e) {
            if (!readOnly || e.errno() != Errno.EACCES) throw e;
            fd = Bpf.objGet(pin, Bpf.F_RDONLY);
            writable = false;
        }
        String kind = Bpf.objectKind(fd);
        if (!kind.equals("map")) {
            LibC.close(fd);
            throw new IncompatibleMapException(name, "object type", "a BPF " + kind + " pinned at " + pin, "a map");
        }
        return describe(fd, writable);
    }

    private static KernelMap describe(int fd, boolean writable) {
        try {
            return new KernelMap(fd, Bpf.mapInfo(fd), writable);
        } catch (RuntimeException e) {
            LibC.close(fd);
            throw e;
        }
    }

    public int fd() {
        return fd;
    }

    public KernelMapInfo info() {
        return info;
    }

    /** False when the descriptor was opened read-only (the pin grants only read permission). */
    public boolean writable() {
        return writable;
    }

    /** True when the values can be mapped: an mmapable array and a read-write descriptor. */
    public boolean canMap() {
        return info.mmapable() && writable;
    }

    /** The length of the values' mapping: the values, {@code round_up(value_size, 8)} apart, page-aligned. */
    public long dataLength() {
        return Arch.pageAlign((long) info.maxEntries() * Header.stride(info.valueSize()));
    }

    /** Pins the map at {@code pin} in a bpf file system. */
    public void pin(Path pin) {
        Bpf.pin(fd, pin);
    }

    /**
     * Maps the values ({@code MAP_SHARED}; {@code PROT_READ} for a reader): element {@code i} at
     * {@code i * round_up(value_size, 8)}. The mapping lives until {@link #close}.
     *
     * @throws SyscallException from mmap: ENOTSUPP(524) for a map with a bpf_spin_lock, EPERM for a frozen map
     *                          mapped writable, EACCES for a {@code BPF_F_RDONLY_PROG} map mapped writable
     */
    public MemorySegment map(boolean readOnly) {
        int prot = readOnly ? LibC.PROT_READ : LibC.PROT_READ | LibC.PROT_WRITE;
        MemorySegment data = LibC.mmapShared(fd, 0, dataLength(), prot, mappings, "bpf map " + info.id());
        return readOnly ? data.asReadOnly() : data;
    }

    /**
     * Maps {@code length} bytes at file offset {@code offset} ({@code MAP_SHARED}; {@code PROT_READ} unless
     * {@code writable}), as a ring buffer's pages are mapped: its consumer page read-write at 0, its producer page and
     * twice-mapped data read-only from one page on. A read-only mapping comes back as a read-only segment, so a write
     * through it is an exception, not a SIGSEGV. The mapping lives until {@link #close}.
     */
    public MemorySegment mapRange(long offset, long length, boolean writable) {
        int prot = writable ? LibC.PROT_READ | LibC.PROT_WRITE : LibC.PROT_READ;
        MemorySegment m = LibC.mmapShared(fd, offset, length, prot, mappings, "bpf map " + info.id() + " at " + offset);
        return writable ? m : m.asReadOnly();
    }

    @Override
    public void load(int index, MemorySegment into) {
        lock.readLock().lock();
        try {
            if (closed) throw new IllegalStateException("the map is closed");
            Bpf.lookupIndex(fd, index, into);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void store(int index, MemorySegment from) {
        lock.readLock().lock();
        try {
            if (closed) throw new IllegalStateException("the map is closed");
            Bpf.updateIndex(fd, index, from, Bpf.ANY);
        } finally {
            lock.readLock().unlock();
        }
    }

    // Element operations of any map, under the read lock so that close() cannot recycle the descriptor under them.

    /** {@link Bpf#lookupIfPresent}; false when the key is absent. */
    public boolean lookup(MemorySegment key, MemorySegment value, long flags) {
        lock.readLock().lock();
        try {
            checkOpen();
            return Bpf.lookupIfPresent(fd, key, value, flags);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** {@link Bpf#tryUpdate}: 0, or the errno of an expected refusal (EEXIST, ENOENT, E2BIG). */
    public int update(MemorySegment key, MemorySegment value, long flags) {
        lock.readLock().lock();
        try {
            checkOpen();
            return Bpf.tryUpdate(fd, key, value, flags);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** {@link Bpf#deleteIfPresent}; false when the key was absent. */
    public boolean delete(MemorySegment key) {
        lock.readLock().lock();
        try {
            checkOpen();
            return Bpf.deleteIfPresent(fd, key);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** {@link Bpf#nextKey}: the key after {@code key} ({@link MemorySegment#NULL}: the first); false after the last. */
    public boolean nextKey(MemorySegment key, MemorySegment next) {
        lock.readLock().lock();
        try {
            checkOpen();
            return Bpf.nextKey(fd, key, next);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** {@link Bpf#lookupBatch}. */
    public Bpf.Batch lookupBatch(MemorySegment in, MemorySegment out, MemorySegment keys, MemorySegment values,
                                 int room, long elemFlags) {
        lock.readLock().lock();
        try {
            checkOpen();
            return Bpf.lookupBatch(fd, in, out, keys, values, room, elemFlags);
        } finally {
            lock.readLock().unlock();
        }
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("the map is closed");
    }

    /** Unmaps the values and closes the descriptor. Idempotent. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (closed) return;
            closed = true;
            try {
                mappings.close();
            } finally {
                LibC.close(fd);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}
