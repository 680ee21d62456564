package dev.mapsync;

import dev.mapsync.internal.store.AccessFailures;
import dev.mapsync.internal.store.Durations;
import dev.mapsync.internal.ring.RingLayout;
import dev.mapsync.internal.sys.Proc;
import dev.mapsync.internal.ring.RingProducer;
import dev.mapsync.internal.ring.RingReader;
import dev.mapsync.internal.ring.RingRegion;
import dev.mapsync.internal.ring.RingKind;
import dev.mapsync.internal.store.Blueprint;
import dev.mapsync.internal.store.MapInfos;
import dev.mapsync.internal.store.Opener;
import dev.mapsync.internal.lock.ProcessSlots;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Optional;

import static dev.mapsync.internal.sys.Words.INT;
import static dev.mapsync.internal.sys.Words.LONG;

/**
 * A ring buffer of records shared between processes: many producers, one consumer, records in the format of the
 * kernel's BPF ring buffer (an 8-byte header with the length and the BUSY and DISCARD bits, records 8-byte aligned,
 * the capacity a power of two), so that one {@link RingConsumer} reads both a ring in shared memory and a kernel
 * {@code BPF_MAP_TYPE_RINGBUF}.
 *
 * <pre>{@code
 * try (SharedRing ring = SharedRing.openOrCreate(MapSpec.ring("events", 1 << 20))) {
 *     ring.offer("hello".getBytes(UTF_8));                  // false when the ring is full
 *     try (RingClaim claim = ring.tryClaim(16)) {             // zero-copy: write in place, then commit
 *         claim.payload().set(JAVA_LONG_UNALIGNED, 0, 42L);
 *         claim.commit();
 *     }
 * }
 * // in the consumer process
 * try (SharedRing ring = SharedRing.open(MapSpec.ring("events", 1 << 20));
 *      RingConsumer consumer = ring.consumer()) {
 *     byte[] record = consumer.poll(Duration.ofSeconds(1));  // null on timeout
 * }
 * }</pre>
 *
 * <p><b>Backends.</b> On {@link Backend#SHM shm} the ring is a map file (type {@code RING}) with its records in the
 * file and its wait words in the control region; producers in any process claim, fill and commit records. On
 * {@link Backend#BPF bpf} it is a kernel ring buffer pinned in bpffs ({@link MapSpec#ring} with
 * {@code .backend(BPF)}, or any pinned one with {@link MapSpec#pinnedRing}): BPF programs produce
 * ({@code bpf_ringbuf_output}, {@code bpf_ringbuf_reserve}/{@code _submit}/{@code _discard}), and this handle
 * consumes, straight from the ring's pages; the producer methods throw {@link MapAccessDeniedException}. A ring into
 * the kernel ({@code BPF_MAP_TYPE_USER_RINGBUF}, {@link RingSpec#userRing}, or a pinned one) is the other way round:
 * producers here claim and commit as on shm, under the reserve lock in the ring's sidecar, a BPF program drains it
 * ({@code bpf_user_ringbuf_drain}), and {@link #consumer()} throws {@link MapAccessDeniedException}.
 *
 * <p><b>Producers</b> claim space, write in place and commit or discard ({@link #tryClaim}, {@link #claim}), or
 * copy a whole record in one call ({@link #offer}, {@link #put}). A full ring: {@code offer} and {@code tryClaim}
 * return false and null; {@code put} and {@code claim} wait for room up to their timeout, then throw
 * {@link WaitTimeoutException}. A record that could never fit throws {@link RecordTooLargeException}. A producer
 * that dies (or closes its handle) holding a claimed, uncommitted record does not stall the consumer: the consumer
 * finds its handle gone within tens of milliseconds, skips that record and counts it lost
 * ({@link RingStatus#lostRecords()}); no other record is lost.
 *
 * <p><b>The consumer</b> ({@link #consumer()}) is one handle at a time across all processes; another gets
 * {@link ConsumerBusyException} until it is closed or its process ends.
 *
 * <p><b>Threads.</b> A handle is safe to share between the threads of a process. Any number of threads may claim,
 * offer and put at once (a claim is a few stores under the ring's reserve lock, which threads and processes take in
 * turn); each thread's records keep its order. A {@link RingClaim} may be committed from any thread, once. The
 * consumer is shared too, with the rules of {@link RingConsumer}: its threads take turns, and a record taken without
 * copying belongs to the thread that took it ({@link RingRecord}). Closing the handle unmaps the ring and ends its
 * consumer; later calls, from any thread, throw {@link MapClosedException}.
 */
public final class SharedRing implements SharedMap {

    private final RingRegion ring;
    /** Null when this handle cannot produce: a kernel ring, or a read-only handle. */
    private final RingProducer producer;
    private final int token;
    private final Schema valueSchema;
    private final int maxRecordLength;
    private RingConsumer consumer;

    /** @param lockTimeout how long a claim that does not wait for room, or a seal, waits for the reserve lock */
    SharedRing(RingRegion ring, Duration lockTimeout) {
        this.ring = ring;
        // user space produces into a kernel user ring, never into a kernel ring buffer
        boolean produces = (!ring.isKernel() || ring.isUserRing()) && !ring.readOnly();
        this.token = produces ? ProcessSlots.claim(ring.control(), ring.lockFd(), ring.name()) : 0;
        this.producer = produces ? new RingProducer(ring, token, lockTimeout.toNanos()) : null;
        String schema = ring.map().header().valueSchema();
        this.valueSchema = schema.isEmpty() ? null : Schema.parse(schema);
        this.maxRecordLength = RingLayout.maxPayload(ring.capacity());
    }

    private static SharedRing wrap(RingRegion ring, Blueprint spec) {
        try {
            return new SharedRing(ring, spec.lockTimeout());
        } catch (RuntimeException | Error e) {
            ring.close();
            throw e;
        }
    }

    /**
     * Creates a new ring from a spec made by {@link MapSpec#ring}.
     *
     * @param spec the ring's blueprint
     * @return the handle
     * @throws MapExistsException       if a map of that name exists
     * @throws MapAccessDeniedException if the folder (or, for the bpf backend, the kernel) refuses
     */
    public static SharedRing create(RingSpec spec) {
        return create(spec.blueprint());
    }

    /**
     * Creates a new queue's ring from a spec made by {@link MapSpec#queue}, to reach its records as bytes.
     *
     * @param spec the queue's blueprint
     * @return the handle
     * @throws MapExistsException       if a map of that name exists
     * @throws MapAccessDeniedException if the folder (or, for the bpf backend, the kernel) refuses
     */
    public static SharedRing create(QueueSpec<?> spec) {
        return create(spec.blueprint());
    }

    static SharedRing create(Blueprint spec) {
        return wrap(Opener.create(spec, RingKind.INSTANCE), spec);
    }

    /**
     * Opens an existing ring for producing and consuming. A spec of records of any length opens any ring (a
     * queue's too).
     *
     * @param spec the ring's blueprint
     * @return the handle
     * @throws MapNotFoundException     if there is no such map
     * @throws IncompatibleMapException if it is not a ring, or differs from the spec (the message names the field)
     */
    public static SharedRing open(RingSpec spec) {
        return open(spec.blueprint(), false);
    }

    /**
     * Opens an existing queue's ring, checked against the queue's spec (its value schema included).
     *
     * @param spec the queue's blueprint
     * @return the handle
     * @throws MapNotFoundException     if there is no such map
     * @throws IncompatibleMapException if it is not a ring, or differs from the spec
     * @throws CorruptMapException      if the file is not a complete map of a version this library reads
     */
    public static SharedRing open(QueueSpec<?> spec) {
        return open(spec.blueprint(), false);
    }

    /**
     * Opens the existing ring (or queue) at {@code location}, as it is.
     *
     * @param location the ring
     * @return the handle
     * @throws MapNotFoundException     if there is no such map
     * @throws IncompatibleMapException if it is not a ring
     * @throws CorruptMapException      if the file is not a complete map of a version this library reads
     */
    public static SharedRing open(MapLocation location) {
        return open(location.blueprint(), false);
    }

    static SharedRing open(Blueprint spec, boolean readOnly) {
        return wrap(Opener.open(spec, readOnly, RingKind.INSTANCE), spec);
    }

    /**
     * Opens an existing ring to look at it ({@link #status()}): it can neither produce nor consume (those methods throw
     * {@link MapAccessDeniedException}).
     *
     * @param spec the ring's blueprint
     * @return the read-only handle
     * @throws MapNotFoundException     if there is no such map
     * @throws IncompatibleMapException if it is not a ring, or differs from the spec
     * @throws CorruptMapException      if the file is not a complete map of a version this library reads
     */
    public static SharedRing openReadOnly(RingSpec spec) {
        return open(spec.blueprint(), true);
    }

    /**
     * {@link #openReadOnly(RingSpec)} of the existing ring (or queue) at {@code location}.
     *
     * @param location the ring
     * @return the read-only handle
     * @throws MapNotFoundException     if there is no such map
     * @throws IncompatibleMapException if it is not a ring
     * @throws CorruptMapException      if the file is not a complete map of a version this library reads
     */
    public static SharedRing openReadOnly(MapLocation location) {
        return open(location.blueprint(), true);
    }

    /**
     * Opens the ring if it exists (checking it against the spec), else creates it. Concurrent callers get one ring.
     *
     * @param spec the ring's blueprint
     * @return the handle
     * @throws IncompatibleMapException if the existing map is not a ring, or differs from the spec
     * @throws MapAccessDeniedException if the folder (or, for the bpf backend, the kernel) refuses
     */
    public static SharedRing openOrCreate(RingSpec spec) {
        return openOrCreate(spec.blueprint());
    }

    /**
     * {@link #openOrCreate(RingSpec)} for a queue's ring.
     *
     * @param spec the queue's blueprint
     * @return the handle
     * @throws IncompatibleMapException if the existing map is not a ring of the queue's values
     * @throws MapAccessDeniedException if the folder (or, for the bpf backend, the kernel) refuses
     */
    public static SharedRing openOrCreate(QueueSpec<?> spec) {
        return openOrCreate(spec.blueprint());
    }

    static SharedRing openOrCreate(Blueprint spec) {
        return wrap(Opener.openOrCreate(spec, RingKind.INSTANCE), spec);
    }

    /** {@return the ring's name} */
    public String name() {
        return ring.name();
    }

    /** {@link Backend#BPF} for a kernel ring buffer. */
    public Backend backend() {
        return ring.isKernel() ? Backend.BPF : Backend.SHM;
    }

    /**
     * {@return bytes of records the ring holds} A record takes its length plus an 8-byte header, rounded up to 8.
     */
    public long capacityBytes() {
        return ring.capacity();
    }

    /** {@return the longest record the ring takes: its capacity less the 8-byte header} */
    public int maxRecordLength() {
        return maxRecordLength;
    }

    /** {@return the schema of a queue's values, or empty for a ring of records of any length} */
    public Optional<Schema> valueSchema() {
        return Optional.ofNullable(valueSchema);
    }

    @Override
    public boolean isClosed() {
        return ring.isClosed();
    }

    /** What the ring's header (and, for a kernel ring, its sidecar) says about it. */
    @Override
    public MapInfo info() {
        if (ring.isClosed()) throw new MapClosedException("ring '" + name() + "' is closed");
        return MapInfos.ofOpen(ring.map());
    }

    // ------------------------------------------------------------------------------------------------ producing

    /**
     * Copies {@code record} into the ring as one record, if there is room now.
     *
     * @param record the record's bytes
     * @return false when the ring is full
     * @throws RecordTooLargeException  if the record is longer than {@link #maxRecordLength()}
     * @throws RingSealedException      if the ring was sealed
     * @throws MapAccessDeniedException for a kernel ring or a read-only handle
     * @throws LockTimeoutException     if the ring's reserve lock stayed held for the lock timeout
     *                                  ({@link MapSpec#lockTimeout()}), which only a peer that wrote into it does
     */
    public boolean offer(byte[] record) {
        return write(MemorySegment.ofArray(record), -1);
    }

    /**
     * {@link #offer(byte[])} of the bytes of a memory segment.
     *
     * @param record the record's bytes: the whole segment
     * @return false when the ring is full
     * @throws RecordTooLargeException  if the record is longer than {@link #maxRecordLength()}
     * @throws RingSealedException      if the ring was sealed
     * @throws MapAccessDeniedException for a kernel ring or a read-only handle
     * @throws LockTimeoutException     as {@link #offer(byte[])} does
     */
    public boolean offer(MemorySegment record) {
        return write(record, -1);
    }

    /**
     * Copies {@code record} into the ring as one record, waiting up to {@code timeout} for room.
     *
     * @param record  the record's bytes
     * @param timeout how long to wait for room
     * @throws WaitTimeoutException     if the ring stayed too full for the record for all of {@code timeout} (a
     *                                  {@link LockTimeoutException} if its reserve lock stayed held that long); the
     *                                  other failures are those of {@link #offer(byte[])}
     * @throws WaitInterruptedException if the thread was interrupted while it waited
     * @throws IllegalArgumentException if the timeout is negative
     */
    public void put(byte[] record, Duration timeout) {
        put(MemorySegment.ofArray(record), timeout);
    }

    /**
     * {@link #put(byte[], Duration)} of the bytes of a memory segment.
     *
     * @param record  the record's bytes: the whole segment
     * @param timeout how long to wait for room
     * @throws WaitTimeoutException if the ring stayed too full for the record for all of {@code timeout}; the other
     *                              failures are those of {@link #put(byte[], Duration)}
     */
    public void put(MemorySegment record, Duration timeout) {
        long deadline = deadline(timeout);
        if (!write(record, deadline)) throw noRoom(record.byteSize(), timeout);
    }

    private boolean write(MemorySegment record, long deadline) {
        int length = checkLength(record.byteSize());
        return write(length, deadline, (data, offset) -> MemorySegment.copy(record, 0, data, offset, length));
    }

    /** Fills a claimed record in place. */
    private interface Filler {
        void fill(MemorySegment data, long offset);
    }

    /**
     * Claims a record of {@code length} bytes, fills it and commits it; a filler that throws discards it.
     *
     * @return false when there was no room
     */
    private boolean write(int length, long deadline, Filler filler) {
        RingProducer p = producer();
        try {
            long position = reserve(p, length, deadline);
            if (position == RingProducer.FULL) return false;
            boolean written = false;
            try {
                filler.fill(p.data(), p.payloadOffset(position));
                written = true;
            } finally {
                p.commit(position, length, !written);
            }
            return true;
        } catch (IllegalStateException | InternalError e) {
            throw closedOr(e);
        }
    }

    /**
     * Reserves a record, waiting for room until {@code deadline} ({@link System#nanoTime()}), or not at all if it is
     * -1.
     *
     * @return its position, or {@link RingProducer#FULL}
     * @throws RingSealedException if the ring is sealed
     */
    private long reserve(RingProducer p, int length, long deadline) {
        long position = deadline == -1 ? p.reserve(length) : p.reserve(length, deadline);
        if (position == RingProducer.SEALED) throw sealed();
        return position;
    }

    /**
     * Claims a record of {@code length} bytes to be written in place, if there is room now. Commit it, or discard it;
     * closing the claim without committing discards it. Records become readable in the order they were claimed, so
     * keep a claim briefly: the consumer cannot read past it.
     *
     * @param length the record's length in bytes
     * @return the claim, or null when the ring is full
     * @throws RecordTooLargeException  if the record is longer than {@link #maxRecordLength()}
     * @throws RingSealedException      if the ring was sealed
     * @throws MapAccessDeniedException for a kernel ring or a read-only handle
     * @throws LockTimeoutException     if the ring's reserve lock stayed held for the lock timeout
     *                                  ({@link MapSpec#lockTimeout()}), which only a peer that wrote into it does
     * @throws IllegalArgumentException if the length is negative
     */
    public RingClaim tryClaim(int length) {
        return claim(length, -1L);
    }

    /**
     * {@link #tryClaim}, waiting up to {@code timeout} for room.
     *
     * @param length  the record's length in bytes
     * @param timeout how long to wait for room
     * @return the claim
     * @throws WaitTimeoutException     if the ring stayed too full for all of {@code timeout} (a
     *                                  {@link LockTimeoutException} if its reserve lock stayed held that long); the
     *                                  other failures are those of {@link #tryClaim}
     * @throws WaitInterruptedException if the thread was interrupted while it waited
     */
    public RingClaim claim(int length, Duration timeout) {
        RingClaim c = claim(length, deadline(timeout));
        if (c == null) throw noRoom(length, timeout);
        return c;
    }

    private RingClaim claim(int length, long deadline) {
        RingProducer p = producer();
        checkLength(length);
        try {
            long position = reserve(p, length, deadline);
            return position == RingProducer.FULL ? null : new RingClaim(this, p, position, length);
        } catch (IllegalStateException | InternalError e) {
            throw closedOr(e);
        }
    }

    /**
     * Encodes {@code value} with {@code codec} straight into a new record (for {@link SharedQueue}).
     *
     * @param deadline {@link System#nanoTime()} to wait for room until, or -1 not to wait
     * @return false when there was no room
     */
    <T> boolean write(Codec<T> codec, T value, long deadline) {
        return write(codec.size(), deadline, (data, offset) -> codec.write(data, offset, value));
    }

    /**
     * Seals the ring: from now on every claim, offer and put throws {@link RingSealedException}. Records claimed
     * before still commit; the consumer reads them, then finds the ring drained ({@link RingConsumer#isDrained()};
     * its waits return at once). A sealed ring stays sealed.
     *
     * @throws MapAccessDeniedException for a kernel ring (which is never sealed) or a read-only handle
     * @throws LockTimeoutException     if the ring's reserve lock stayed held for the lock timeout
     *                                  ({@link MapSpec#lockTimeout()}), which only a peer that wrote into it does
     */
    public void seal() {
        try {
            producer().seal();
        } catch (IllegalStateException | InternalError e) {
            throw closedOr(e);
        }
    }

    /** {@return true once the ring was sealed; a kernel ring is never sealed} */
    public boolean isSealed() {
        checkOpen();
        try {
            return !ring.isKernel() && (int) INT.getAcquire(ring.control(), RingLayout.SEALED) != 0;
        } catch (IllegalStateException | InternalError e) {
            throw closedOr(e);
        }
    }

    // ------------------------------------------------------------------------------------------------ consuming

    /**
     * Makes this handle the ring's one consumer. Close the consumer (or this handle) to give the role up.
     *
     * @return the consumer
     * @throws ConsumerBusyException    if another handle, here or in another process, is the consumer
     * @throws MapAccessDeniedException if this handle is read-only
     */
    public synchronized RingConsumer consumer() {
        checkOpen();
        if (ring.isUserRing()) {
            throw new MapAccessDeniedException("ring '" + name() + "' is a kernel user ring buffer (BPF_MAP_TYPE_USER_RINGBUF):"
                    + " only BPF programs consume it (bpf_user_ringbuf_drain); user space produces into it");
        }
        if (consumer != null && !consumer.isClosed()) {
            throw new ConsumerBusyException("this handle of ring '" + name() + "' already has an open consumer; close"
                    + " it before asking for another", Proc.PID);
        }
        // a kernel ring's producers do not wait: the consumer's code is compiled before the role is taken
        if (ring.isKernel()) ConsumerWarmUp.ensure();
        try {
            consumer = new RingConsumer(this, new RingReader(ring, token));
            return consumer;
        } catch (IllegalStateException | InternalError e) {
            throw closedOr(e);
        }
    }

    private synchronized boolean consuming() {
        return consumer != null && !consumer.isClosed();
    }

    /**
     * {@return what the ring holds and who consumes it, read now}
     *
     * @throws CorruptMapException if its positions are not ones a ring can have
     */
    public RingStatus status() {
        checkOpen();
        try {
            // both positions move while others produce and consume: the producer position read before the consumer
            // position is at most a ring ahead of it, and the one read after it is not behind it
            long producerBefore = (long) LONG.getAcquire(ring.producerPosition(), 0L);
            long consumerPosition = (long) LONG.getAcquire(ring.consumerPosition(), 0L);
            long producerPosition = (long) LONG.getAcquire(ring.producerPosition(), 0L);
            String problem = RingLayout.positionProblem(producerPosition, consumerPosition, Long.MAX_VALUE);
            if (problem == null) {
                problem = RingLayout.positionProblem(Math.max(producerBefore, consumerPosition), consumerPosition, capacityBytes());
            }
            if (problem != null) throw ring.corrupt(problem);
            MemorySegment c = ring.control();
            int consumerPid = consuming() ? Proc.PID : RingReader.consumerPid(ring);
            return new RingStatus(name(), backend(), capacityBytes(), producerPosition, consumerPosition,
                    Math.min(producerPosition - consumerPosition, capacityBytes()), isSealed(), (long) LONG.getAcquire(c, RingLayout.LOST_RECORDS),
                    (long) LONG.getAcquire(c, RingLayout.LOST_BYTES), consumerPid, valueSchema);
        } catch (IllegalStateException | InternalError e) {
            throw closedOr(e);
        }
    }

    /** Ends this handle's consumer, if any, and unmaps the ring. Idempotent; the ring stays for other processes. */
    @Override
    public void close() {
        RingConsumer c;
        synchronized (this) {
            c = consumer;
        }
        try {
            if (c != null) c.close();
        } finally {
            ring.close();
        }
    }

    @Override
    public String toString() {
        return "SharedRing[" + name() + ", " + backend().name().toLowerCase(java.util.Locale.ROOT) + ", " + capacityBytes()
                + " bytes" + (valueSchema == null ? "" : " of " + valueSchema) + "]";
    }

    // ------------------------------------------------------------------------------------------------- helpers

    private RingProducer producer() {
        checkOpen();
        if (producer == null) {
            if (ring.isKernel()) {
                throw new MapAccessDeniedException("ring '" + name() + "' is a kernel BPF ring buffer: only BPF programs"
                        + " produce into it (bpf_ringbuf_output, bpf_ringbuf_reserve); user space consumes it");
            }
            throw new MapAccessDeniedException("ring '" + name() + "' is open read-only; writes are refused");
        }
        return producer;
    }

    private int checkLength(long length) {
        if (length < 0) throw new IllegalArgumentException("negative record length " + length);
        if (length > maxRecordLength) {
            throw new RecordTooLargeException("a record of " + length + " bytes does not fit ring '" + name()
                    + "' of " + capacityBytes() + " bytes: a record takes its length plus an 8-byte header, so it holds at"
                    + " most " + maxRecordLength + " bytes");
        }
        return (int) length;
    }

    private static long deadline(Duration timeout) {
        if (timeout.isNegative()) throw new IllegalArgumentException("negative timeout " + timeout);
        long now = System.nanoTime();
        long d = now + Math.min(timeout.toNanos(), Long.MAX_VALUE / 4);
        return d == -1 ? 0 : d; // -1 means "do not wait"
    }

    private WaitTimeoutException noRoom(long length, Duration timeout) {
        long used = (long) LONG.getAcquire(ring.producerPosition(), 0L) - (long) LONG.getAcquire(ring.consumerPosition(), 0L);
        return new WaitTimeoutException("timed out after " + Durations.text(timeout) + " waiting for room for a record"
                + " of " + length + " bytes in ring '" + name() + "': " + used + " of " + capacityBytes()
                + " bytes are not consumed yet");
    }

    private RingSealedException sealed() {
        return new RingSealedException("ring '" + name() + "' is sealed: it takes no more records");
    }

    void checkOpen() {
        if (ring.isClosed()) throw new MapClosedException("ring '" + name() + "' is closed");
    }

    /** The exception to throw for a failed access to the memory: the handle was closed, or the memory vanished. */
    RuntimeException closedOr(Throwable e) {
        return AccessFailures.of("ring '" + name() + "'", ring.isClosed(), e);
    }
}
