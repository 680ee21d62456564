package dev.mapsync.internal.store;

import dev.mapsync.internal.sys.Cleanup;
import dev.mapsync.internal.sys.LibC;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * One opened map, whatever its backend: its header and control region (ordinary shared memory) and its data
 * region (the same file for shm maps, the kernel map's pages for bpf maps). Closing it unmaps both.
 *
 * <p>A bpf map also has an {@link #elementIo() element path} through {@code bpf(2)}. For a kernel map that cannot
 * be mapped (see {@link ElementIo}) it is the only path: {@link #data()} is null, values are copied in and out
 * one at a time, and there are no atomic slots.
 *
 * <p>A region that is never closed is released once it is unreachable ({@link Cleanup}): unmapped, its backend's
 * extras closed, and its descriptor closed, which gives its process slot (and a ring's consumer role) back. Every
 * handle and every object that uses a handle's memory (slots, cursors, records, claims, guards) keeps its region
 * reachable, so this happens only when nothing can use it any more (a call still running on a handle that nothing
 * else references may find it released, and fail with {@code MapClosedException}: never an access to unmapped
 * memory, which the arena's close prevents).
 */
public final class MapRegion implements AutoCloseable {
    private final String name;
    private final Path file;
    private final Header header;
    private final MemorySegment head;
    private final MemorySegment control;
    private final MemorySegment data;
    private final boolean readOnly;
    private final int fd;
    private final int lockFd;
    private final ElementIo elementIo;
    private final Resources resources;
    private final Release release;
    private final Cleaner.Cleanable cleanable;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param head    the mapping that starts with the header and holds the control region
     * @param data    the data region, or null when values are reached only through {@code elementIo}
     * @param fd      the map file's descriptor, kept open for the life of the handle, or -1 for a region in memory
     * @param lockFd  the liveness file's descriptor, kept open for the life of the handle, or -1 when this handle
     *                may not open it (a reader without write access to the map)
     * @param onClose releases what the backend holds beyond the mappings and the file descriptors
     */
    public MapRegion(String name, Path file, Header header, Arena arena, MemorySegment head, MemorySegment data,
                     boolean readOnly, int fd, int lockFd, Runnable onClose) {
        this(name, file, header, head, data, readOnly, fd, lockFd, new Resources(arena, fd, lockFd, onClose), null);
    }

    private MapRegion(String name, Path file, Header header, MemorySegment head, MemorySegment data,
                      boolean readOnly, int fd, int lockFd, Resources resources, ElementIo elementIo) {
        this.name = name;
        this.file = file;
        this.header = header;
        this.head = head;
        this.control = head.asSlice(header.controlOffset(), header.controlLength());
        this.data = data;
        this.readOnly = readOnly;
        this.fd = fd;
        this.lockFd = lockFd;
        this.elementIo = elementIo;
        this.resources = resources;
        this.release = new Release(resources);
        this.cleanable = Cleanup.CLEANER.register(this, release);
    }

    /**
     * This region with a system-call path to its elements. The returned region takes over everything this one
     * holds: close the returned one, and drop this one unused (it releases nothing when it is collected).
     */
    public MapRegion withElementIo(ElementIo io) {
        release.handedOver = true;
        return new MapRegion(name, file, header, head, data, readOnly, fd, lockFd, resources, io);
    }

    public String name() {
        return name;
    }

    /** The map file, or the sidecar file of a bpf map. */
    public Path file() {
        return file;
    }

    public Header header() {
        return header;
    }

    /** The first page of the file: the header. */
    public MemorySegment head() {
        return head;
    }

    /** The control region: lock records, event words, changelog. */
    public MemorySegment control() {
        return control;
    }

    /** The values, element {@code i} at {@code i * stride}; null when they can be reached only through {@link #elementIo()}. */
    public MemorySegment data() {
        return data;
    }

    /** The system-call path to the elements (bpf maps), or null (shm maps). */
    public ElementIo elementIo() {
        return elementIo;
    }

    public boolean readOnly() {
        return readOnly;
    }

    /** The map file's descriptor (the sidecar's, for bpf maps). */
    public int fd() {
        return fd;
    }

    /**
     * The descriptor of the map's liveness file ({@code <file>.live}), which every open-file-description lock of the
     * protocol is taken on (process slots, the consumer role) and probed through; -1 when this handle has none (a
     * reader the file's mode keeps out), which then judges liveness from the slot records. Read-write for writers,
     * read-only for readers.
     */
    public int lockFd() {
        return lockFd;
    }

    /**
     * {@code use} of the liveness file's descriptor, which no close of this region closes meanwhile: a descriptor
     * closed under a call would be the number of the next file this process opens, and a lock set or dropped on it
     * would be that file's (another handle's consumer role). For the calls that change locks; a probe at worst reads
     * another file, and the control region's accesses after it fail once the region is closed.
     *
     * @throws IllegalStateException if the region is closed
     */
    public <T> T withLockFd(IntFunction<T> use) {
        Lock shared = resources.descriptors.readLock();
        shared.lock();
        try {
            if (resources.released.get()) throw new IllegalStateException("map '" + name + "' is closed");
            return use.apply(lockFd);
        } finally {
            shared.unlock();
        }
    }


    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Makes the handle of this freshly opened region; if that fails, closes the region before the failure goes on, so
     * that a handle that never came to be leaves no mapping, descriptor or process slot behind.
     *
     * @param handle makes the handle (a constructor, which may check the region and throw)
     * @return the handle
     */
    public <T> T into(Function<MapRegion, T> handle) {
        try {
            return handle.apply(this);
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** Unmaps the map; later accesses through its segments fail with {@link IllegalStateException}. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        cleanable.clean();
    }

    /**
     * What a region holds beyond the Java heap: the mappings, the backend's extras and the descriptors (the liveness
     * file's OFD locks are the process slot and a ring's consumer role). Released once, by a close or by the cleaner. It must
     * not reach the region, or the region would never become unreachable.
     */
    private static final class Resources {
        private final Arena arena;
        private final int fd;
        private final int lockFd;
        private final Runnable onClose;
        private final AtomicBoolean released = new AtomicBoolean();
        /** Held shared by {@link #withLockFd}, and exclusively while the descriptors close. */
        private final ReadWriteLock descriptors = new ReentrantReadWriteLock();

        Resources(Arena arena, int fd, int lockFd, Runnable onClose) {
            this.arena = arena;
            this.fd = fd;
            this.lockFd = lockFd;
            this.onClose = onClose;
        }

        void release() {
            if (!released.compareAndSet(false, true)) return;
            try {
                arena.close();
            } finally {
                try {
                    onClose.run();
                } finally {
                    Lock exclusive = descriptors.writeLock();
                    exclusive.lock();
                    try {
                        if (fd >= 0) LibC.close(fd); // a region in this process's own memory has no file
                    } finally {
                        // closing it drops this handle's slot and consumer locks: others then see it gone
                        try {
                            if (lockFd >= 0) LibC.close(lockFd);
                        } finally {
                            exclusive.unlock();
                        }
                    }
                }
            }
        }
    }

    /** One region's cleaning action: its resources, unless it handed them over to another region. */
    private static final class Release implements Runnable {
        private final Resources resources;
        private volatile boolean handedOver;

        Release(Resources resources) {
            this.resources = resources;
        }

        @Override
        public void run() {
            if (!handedOver) resources.release();
        }
    }
}
