package dev.mapsync.internal.ring;

import dev.mapsync.CorruptMapException;
import dev.mapsync.internal.store.MapRegion;

import java.lang.foreign.MemorySegment;
import java.util.function.IntFunction;

/**
 * One opened ring, whatever its backend: the map region (header and control region, in shared memory for both
 * backends) and where the ring's two positions and its records are.
 *
 * <ul>
 * <li>shm: the positions are words of the control region, and the records the file's data region, mapped twice
 *     in a row.</li>
 * <li>bpf: the positions are the kernel ring's consumer page (mapped read-write) and producer page (read-only), and
 *     the records its data pages, which the kernel maps twice in a row itself (read-only). {@link #kernelFd()} is
 *     the kernel map's descriptor, which epoll watches.</li>
 * </ul>
 * Closing it unmaps everything and closes the descriptors.
 */
public final class RingRegion implements AutoCloseable {
    private final MapRegion region;
    private final MemorySegment producerPosition;
    private final MemorySegment consumerPosition;
    private final MemorySegment data;
    private final long capacity;
    private final boolean kernel;
    private final int kernelFd;
    private final boolean userRing;

    private RingRegion(MapRegion region, MemorySegment producerPosition, MemorySegment consumerPosition,
                       MemorySegment data, long capacity, boolean kernel, int kernelFd, boolean userRing) {
        this.region = region;
        this.kernel = kernel;
        this.userRing = userRing;
        this.producerPosition = producerPosition;
        this.consumerPosition = consumerPosition;
        this.data = data;
        this.capacity = capacity;
        this.kernelFd = kernelFd;
    }

    /** An shm ring: {@code region.data()} is its data region mapped twice in a row. */
    static RingRegion shm(MapRegion region) {
        MemorySegment control = region.control();
        return new RingRegion(region, control.asSlice(RingLayout.PRODUCER_POSITION, 8),
                control.asSlice(RingLayout.CONSUMER_POSITION, 8), region.data(), region.header().dataLength(), false, -1, false);
    }

    /** A kernel ring: {@code region} is its sidecar; the positions and records are the kernel map's pages. */
    public static RingRegion kernel(MapRegion region, MemorySegment consumerPage, MemorySegment producerPage,
                                    MemorySegment data, long capacity, int kernelFd) {
        return new RingRegion(region, producerPage.asSlice(0, 8), consumerPage.asSlice(0, 8), data, capacity, true,
                kernelFd, false);
    }

    /**
     * A kernel ring's shape in this process's own memory ({@link ScratchRing}): read as a kernel ring is, with no
     * kernel map behind it, so no descriptor to wait on and no consumer role to take.
     */
    static RingRegion scratch(MapRegion region, MemorySegment producerPosition, MemorySegment consumerPosition,
                              MemorySegment data, long capacity) {
        return new RingRegion(region, producerPosition, consumerPosition, data, capacity, true, -1, false);
    }

    /**
     * A kernel user ring ({@code BPF_MAP_TYPE_USER_RINGBUF}): this process produces (its producer page and data are
     * mapped read-write), a BPF program consumes (the consumer page is read-only).
     */
    public static RingRegion kernelUser(MapRegion region, MemorySegment consumerPage, MemorySegment producerPage,
                                        MemorySegment data, long capacity, int kernelFd) {
        return new RingRegion(region, producerPage.asSlice(0, 8), consumerPage.asSlice(0, 8), data, capacity, true,
                kernelFd, true);
    }

    /** True for a kernel user ring, which BPF programs consume with {@code bpf_user_ringbuf_drain}. */
    public boolean isUserRing() {
        return userRing;
    }

    public MapRegion map() {
        return region;
    }

    public String name() {
        return region.name();
    }

    /** The control region (process slots, wait words, consumer record). */
    public MemorySegment control() {
        return region.control();
    }

    /** The producer position: 8 bytes, read-only for kernel rings. */
    public MemorySegment producerPosition() {
        return producerPosition;
    }

    /** The consumer position: 8 bytes. */
    public MemorySegment consumerPosition() {
        return consumerPosition;
    }

    /** The records: {@code 2 * capacity} bytes, the second half the same memory as the first. */
    public MemorySegment data() {
        return data;
    }

    public long capacity() {
        return capacity;
    }

    /** True for a kernel ring ({@code BPF_MAP_TYPE_RINGBUF} or {@code USER_RINGBUF}). */
    public boolean isKernel() {
        return kernel;
    }

    /** True for a {@link ScratchRing}: a kernel ring's shape in this process's memory. */
    public boolean isScratch() {
        return kernel && kernelFd < 0;
    }

    /** The kernel map's descriptor, or -1 for shm rings and scratch rings. */
    public int kernelFd() {
        return kernelFd;
    }

    /**
     * The descriptor of the ring's liveness file (beside the sidecar, for kernel rings): the one OFD locks are taken
     * on and probed through; -1 for a reader that may not open it ({@link MapRegion#lockFd()}).
     */
    public int lockFd() {
        return region.lockFd();
    }

    /** {@link MapRegion#withLockFd}. */
    public <T> T withLockFd(IntFunction<T> use) {
        return region.withLockFd(use);
    }

    /** The exception for a ring whose shared words say {@code problem}: another process wrote what no ring holds. */
    public CorruptMapException corrupt(String problem) {
        return new CorruptMapException("ring '" + name() + "' is corrupt: " + problem);
    }

    /**
     * Checks the positions as one who holds either of them still loaded them (the consumer its own position, a
     * producer under the reserve lock the producer position): the other only moves away from it, so any order of
     * loads gives a pair that a sound ring could have had.
     *
     * @throws CorruptMapException if they are out of order, not multiples of 8, or further apart than the ring holds
     */
    public void checkPositions(long producer, long consumer) {
        String problem = RingLayout.positionProblem(producer, consumer, capacity);
        if (problem != null) throw corrupt(problem);
    }

    public boolean readOnly() {
        return region.readOnly();
    }

    public boolean isClosed() {
        return region.isClosed();
    }

    @Override
    public void close() {
        region.close();
    }
}
