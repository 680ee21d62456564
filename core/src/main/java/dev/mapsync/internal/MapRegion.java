package dev.mapsync.internal;

import dev.mapsync.internal.layout.Header;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One opened map, whatever its backend: its header and control region (ordinary shared memory) and its data
 * region (the same file for shm maps, the kernel map's pages for bpf maps). Closing it unmaps both.
 *
 * <p>A bpf map also has an {@link #elementIo() element path} through {@code bpf(2)}. For a kernel map that cannot
 * be mapped (see {@link ElementIo}) it is the only path: {@link #data()} is null, values are copied in and out
 * one at a time, and there are no atomic slots.
 */
public final class MapRegion implements AutoCloseable {
    private final String name;
    private final Path file;
    private final Header header;
    private final Arena arena;
    private final MemorySegment head;
    private final MemorySegment control;
    private final MemorySegment data;
    private final boolean readOnly;
    private final int fd;
    private final int lockFd;
    private final Runnable onClose;
    private final ElementIo elementIo;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param head    the mapping that starts with the header and holds the control region
     * @param data    the data region, or null when values are reached only through {@code elementIo}
     * @param fd      the map file's descriptor, kept open for the life of the handle
     * @param lockFd  the liveness file's descriptor, kept open for the life of the handle, or -1 when this handle
     *                may not open it (a reader without write access to the map)
     * @param onClose releases what the backend holds beyond the mappings and the file descriptors
     */
    public MapRegion(String name, Path file, Header header, Arena arena, MemorySegment head, MemorySegment data,
                     boolean readOnly, int fd, int lockFd, Runnable onClose) {
        this(name, file, header, arena, head, data, readOnly, fd, lockFd, onClose, null);
    }

    private MapRegion(String name, Path file, Header header, Arena arena, MemorySegment head, MemorySegment data,
                      boolean readOnly, int fd, int lockFd, Runnable onClose, ElementIo elementIo) {
        this.name = name;
        this.file = file;
        this.header = header;
        this.arena = arena;
        this.head = head;
        this.control = head.asSlice(header.controlOffset(), header.controlLength());
        this.data = data;
        this.readOnly = readOnly;
        this.fd = fd;
        this.lockFd = lockFd;
        this.onClose = onClose;
        this.elementIo = elementIo;
    }

    /**
     * This region with a system-call path to its elements. The returned region takes over everything this one
     * holds: close the returned one, and drop this one unused.
     */
    public MapRegion withElementIo(ElementIo io) {
        return new MapRegion(name, file, header, arena, head, data, readOnly, fd, lockFd, onClose, io);
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

    public boolean isClosed() {
        return closed.get();
    }

    /** Unmaps the map; later accesses through its segments fail with {@link IllegalStateException}. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        try {
            arena.close();
        } finally {
            try {
                onClose.run();
            } finally {
                try {
                    dev.mapsync.internal.linux.LibC.close(fd);
                } finally {
                    // closing it drops this handle's slot and consumer locks: others then see it gone
                    if (lockFd >= 0) dev.mapsync.internal.linux.LibC.close(lockFd);
                }
            }
        }
    }
}
