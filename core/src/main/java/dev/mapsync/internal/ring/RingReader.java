package dev.mapsync.internal.ring;

import dev.mapsync.CorruptMapException;
import dev.mapsync.internal.events.RecordsLostEvent;
import dev.mapsync.internal.sys.Epoll;
import dev.mapsync.internal.sys.Membarrier;
import dev.mapsync.internal.lock.ProcessSlots;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

import static dev.mapsync.internal.sys.Words.INT;
import static dev.mapsync.internal.sys.Words.LONG;

/**
 * The consumer side of a ring, the same code for an shm ring and a kernel {@code BPF_MAP_TYPE_RINGBUF}: it reads
 * records straight from the mapped ring, in order, and publishes its position as it releases them.
 *
 * <p><b>Reading</b> (libbpf's {@code ringbuf_process_ring}, cilium's reader): load the header at the consumer
 * position (acquire). BUSY: the record is claimed but not committed, and every later record waits behind it.
 * DISCARD: skip it. Otherwise hand the payload out; releasing it stores the next position (release), which frees
 * the space for producers. Whether a record is there at all: in a kernel ring, the consumer position is behind the
 * producer position (acquire); in an shm ring, whose free space is zero, the header is not zero. The consumer of an
 * shm ring zeroes each record's bytes before it frees them, as Agrona's does, so it watches only the cache line the
 * next record lands in, never the producers' position.
 *
 * <p><b>Sleeping</b>, only once everything committed was read (a kernel ring wakes its consumer only when it has
 * caught up: "drain before sleeping"):
 * <ul>
 * <li>kernel rings: publish the position, issue a <em>full</em> fence, re-read the producer position, then
 *     {@code epoll_wait} on the map's descriptor. Without the fence the re-read can be served before the position is
 *     visible, while the kernel, reading the old position, decides not to wake: the lost wake-up libbpf fixed in
 *     2026.</li>
 * <li>shm rings: set the consumer wait word, full fence, re-check, then {@code FUTEX_WAIT} on the word in slices;
 *     a producer that commits checks the word after its own fence and wakes the consumer. Where the kernel allows
 *     it, the consumer issues {@code membarrier} on the producers' processes before the re-check instead, and says
 *     so in its record, so that producers commit without a fence (see {@link RingProducer}).</li>
 * </ul>
 *
 * <p><b>Dead producers</b> (shm rings): a record that stays BUSY for a slice is checked: its header's second word
 * is the claimer's owner token; when that handle is gone (its process died, or it closed the handle) the record can
 * never be committed, so the consumer marks it discarded, counts it lost, and reads on. Only that record is lost.
 */
public final class RingReader implements AutoCloseable {
    /** What {@link #advance()} found at the consumer position. */
    public static final int EMPTY = 0, READY = 1, BUSY = 2;

    private static final int SPINS = 256;
    /** How long a record may stay BUSY before its claimer's liveness is checked (then again every as long). */
    private static final long CLAIM_CHECK_NANOS = RingProducer.SLICE_NANOS;
    /** How long a consumer at a record a BPF program reserved waits before looking again (epoll reports it readable). */
    private static final long KERNEL_BUSY_PARK_NANOS = 20_000;
    /** How long a virtual thread consuming a kernel ring parks before it looks again. */
    private static final long VIRTUAL_KERNEL_PARK_NANOS = 1_000_000;

    private final RingRegion ring;
    private final MemorySegment control;
    private final MemorySegment data;
    private final MemorySegment producerPosition;
    private final MemorySegment consumerPosition;
    private final long capacity;
    private final long mask;
    private final boolean kernel;
    private final int ownToken;
    private final Epoll epoll;
    /** True while this consumer runs membarrier on the producers before it sleeps (shm rings; see RingProducer). */
    private boolean fencesProducers;

    private long consumer;
    /** The consumer position as last stored in the ring. */
    private long published;
    private boolean batching;
    /** The consumer position when the batch began. */
    private long batchStart;
    private long producerSeen;
    private long recordPosition = -1;
    private int recordLength;
    private long discarded;
    private long lost;
    /** The position of a record seen BUSY, and since when, to check its claimer once it stays BUSY for a slice. */
    private long busyAt = -1;
    private long busySince;
    /** Empty looks in a row (shm rings). */
    private int emptyLooks;

    /**
     * Makes this handle the ring's consumer.
     *
     * @param ownToken the handle's own owner token (records it claimed are never taken for a dead producer's), or 0
     * @throws dev.mapsync.ConsumerBusyException if the ring has a consumer
     */
    public RingReader(RingRegion ring, int ownToken) {
        if (!ring.isScratch()) ConsumerLock.acquire(ring);
        Epoll made = null;
        try {
            this.ring = ring;
            this.control = ring.control();
            this.data = ring.data();
            this.producerPosition = ring.producerPosition();
            this.consumerPosition = ring.consumerPosition();
            this.capacity = ring.capacity();
            this.mask = capacity - 1;
            this.kernel = ring.isKernel();
            this.ownToken = ownToken;
            this.epoll = made = kernel && !ring.isScratch() ? Epoll.readable(ring.kernelFd()) : null;
            this.fencesProducers = !kernel && Membarrier.canFence();
            if (!kernel) INT.setRelease(control, RingLayout.CONSUMER_FENCES, fencesProducers ? 1 : 0);
            this.consumer = (long) LONG.getAcquire(consumerPosition, 0L);
            this.published = consumer;
            // the consumer's own position stands still while it holds the role: any producer position read now must
            // be at or past it, and at most a ring ahead
            this.producerSeen = (long) LONG.getAcquire(producerPosition, 0L);
            ring.checkPositions(producerSeen, consumer);
        } catch (RuntimeException | Error e) {
            if (made != null) made.close();
            if (!ring.isScratch()) ConsumerLock.release(ring);
            throw e;
        }
    }

    /**
     * Moves to the next committed record, skipping discarded ones.
     *
     * @return {@link #READY} (the record is {@link #recordPosition()}), {@link #EMPTY} or {@link #BUSY}
     * @throws CorruptMapException if a header claims more bytes than were produced
     */
    public int advance() {
        while (true) {
            long at = consumer & mask;
            int header;
            if (kernel) {
                // the producer position is re-read only once the records below the last value seen are read: every
                // position below it has its header, and re-reading it per record bounces the producer's cache line
                if (consumer == producerSeen) {
                    producerSeen = producerPosition();
                    if (consumer == producerSeen) return EMPTY;
                }
                header = (int) INT.getAcquire(data, at);
            } else {
                // free space is zero and producers write a header in one store: a zero header is "no record yet", so
                // the consumer watches only the line the next record lands in, as Agrona's does
                long word = (long) LONG.getAcquire(data, at);
                if (word == 0) return emptyAt();
                header = (int) word;
            }
            emptyLooks = 0;
            if ((header & RingLayout.BUSY) != 0) return BUSY;
            int length = header & RingLayout.LENGTH_MASK;
            long size = RingLayout.recordSize(length);
            // a committed record was claimed whole before it was committed, so the producer position is past its end:
            // read again only when the record ends past the position last read (once a batch, and while a consumer
            // that keeps up waits for a BUSY record to be committed, see advanceChecked), never once a record
            if (size > producerSeen - consumer) {
                producerSeen = producerPosition();
                if (size > producerSeen - consumer) throw corrupt(length);
            }
            if ((header & RingLayout.DISCARD) != 0) {
                discarded++;
                consumed(at, size);
                continue;
            }
            recordPosition = consumer;
            recordLength = length;
            return READY;
        }
    }

    /**
     * Whether there is no record at {@code position} now, for a thread that looks without being the consumer's reader
     * (the position is one the reader published): an shm ring's header there is zero, a kernel ring's producer is
     * there. Checks nothing else, and changes nothing.
     */
    public boolean nothingAt(long position) {
        if (kernel) return (long) LONG.getAcquire(producerPosition, 0L) == position;
        return (long) LONG.getAcquire(data, position & mask) == 0;
    }

    /** Empty looks in a row after which the positions are checked (a consumer that polls without sleeping). */
    private static final int EMPTY_LOOKS_BEFORE_CHECK = 64;

    /** Makes the next {@link #advance()} that finds nothing check the positions, as after many empty looks. */
    public void checkNextEmptyLook() {
        emptyLooks = EMPTY_LOOKS_BEFORE_CHECK - 1;
    }

    /**
     * Nothing at the consumer position of an shm ring. A consumer that a corrupt record length (or position) put past
     * the producer would find nothing there for ever, while producers fill the ring behind it: after a few empty looks
     * in a row (and before every sleep), the positions are checked.
     */
    private int emptyAt() {
        if (++emptyLooks >= EMPTY_LOOKS_BEFORE_CHECK) {
            emptyLooks = 0;
            checkNothingProduced();
        }
        return EMPTY;
    }

    /**
     * For an shm consumer that found no record at its position: checks that the producer position is not past it.
     * A producer writes a record's header before it moves the producer position past it (and the consumer zeroes
     * only what it consumed), so a producer position past the consumer's, read before a zero header, is corrupt: the
     * consumer would wait there for ever.
     */
    private void checkNothingProduced() {
        producerSeen = producerPosition();
        if (producerSeen != consumer && (long) LONG.getAcquire(data, consumer & mask) == 0) {
            throw ring.corrupt("its producer position " + producerSeen + " is past its consumer position " + consumer
                    + ", but there is no record at it");
        }
    }

    /** The producer position, loaded now (acquire) and checked against this consumer's position. */
    private long producerPosition() {
        long p = (long) LONG.getAcquire(producerPosition, 0L);
        ring.checkPositions(p, consumer);
        return p;
    }

    /**
     * Moves past the record of {@code size} bytes at {@code at}. In an shm ring its bytes are zeroed before its space
     * is freed: now, or in a batch all together when the batch ends.
     */
    private void consumed(long at, long size) {
        if (!kernel && !batching) zero(at, size);
        publish(consumer + size);
    }

    private void zero(long at, long size) {
        if (size <= 64) {
            for (long o = at; o < at + size; o += 8) LONG.set(data, o, 0L);
        } else {
            data.asSlice(at, size).fill((byte) 0);
        }
    }

    /** The position of the record {@link #advance()} found. */
    public long recordPosition() {
        return recordPosition;
    }

    public int recordLength() {
        return recordLength;
    }

    /** The offset in {@link #data()} of the current record's payload (contiguous: the data is mapped twice). */
    public long payloadOffset() {
        return (recordPosition & mask) + RingLayout.HEADER_SIZE;
    }

    /** The records, {@code 2 * capacity} bytes. */
    public MemorySegment data() {
        return data;
    }

    /** Frees the current record's space; the next {@link #advance()} looks past it. */
    public void release() {
        consumed(recordPosition & mask, RingLayout.recordSize(recordLength));
        recordPosition = -1;
    }

    private void publish(long position) {
        consumer = position;
        if (!batching) store();
    }

    /** Stores the consumer position, freeing the space of the records read, and wakes producers that wait for room. */
    private void store() {
        if (published == consumer) return;
        published = consumer;
        LONG.setRelease(consumerPosition, 0L, consumer);
        if (!kernel) wakeProducers();
    }

    /**
     * From now until {@link #endBatch()}, releases free their space together at the end (as Agrona's {@code read}
     * does), rather than one store of the consumer position per record.
     */
    public void beginBatch() {
        batching = true;
        batchStart = consumer;
    }

    /**
     * Zeroes the records released since {@link #beginBatch()} (shm rings; one range, however it wraps, since the
     * data is mapped twice) and stores the consumer position once for them.
     */
    public void endBatch() {
        batching = false;
        if (!kernel && consumer != batchStart) zero(batchStart & mask, consumer - batchStart);
        store();
    }

    private void wakeProducers() {
        if ((int) INT.getAcquire(control, RingLayout.PRODUCER_WAIT) != 0
                && (int) INT.getAndSet(control, RingLayout.PRODUCER_WAIT, 0) != 0) {
            Waits.wake(ring, RingLayout.PRODUCER_WAIT, Integer.MAX_VALUE);
        }
    }

    /**
     * {@link #advance()}, and when the record at the consumer position has stayed BUSY for a slice, a check of its
     * claimer (shm rings): a record whose claimer's handle is gone is skipped and counted lost.
     */
    public int advanceChecked() {
        while (true) {
            int state = advance();
            if (state != BUSY || kernel) {
                busyAt = -1;
                return state;
            }
            long now = System.nanoTime();
            if (busyAt != consumer) {
                busyAt = consumer;
                busySince = now;
                // waiting for the record to be committed anyway: read the producer position now, so that the record,
                // once committed, is already known to end below it
                producerSeen = producerPosition();
                return BUSY;
            }
            if (now - busySince < CLAIM_CHECK_NANOS) return BUSY;
            busySince = now;
            if (!skipIfClaimerGone()) return BUSY;
        }
    }

    /**
     * Waits for a committed record until {@code deadline} ({@link System#nanoTime()}).
     *
     * @return true when one is {@link #READY}; false when the deadline passed, or the ring is sealed and drained
     */
    public boolean await(long deadline) {
        for (int spin = 0; ; spin++) {
            int state = advanceChecked();
            if (state == READY) return true;
            if (state == EMPTY && drainedAndSealed()) return false;
            long now = System.nanoTime();
            if (now - deadline >= 0) return false;
            if (spin < SPINS) {
                Thread.onSpinWait();
                continue;
            }
            // a commit or a seal wakes an empty ring's consumer; only a record left BUSY is looked at every slice
            long slice = kernel || state == BUSY ? Math.min(deadline - now, RingProducer.SLICE_NANOS) : deadline - now;
            if (kernel) sleepOnKernel(state, slice);
            else sleepOnFutex(state, slice);
            Waits.checkInterrupt(ring, "waiting for a record of ring '" + ring.name() + "'");
        }
    }

    /** True when the ring takes no more records and none is left. Kernel rings are never sealed. */
    public boolean drainedAndSealed() {
        // sealed first: sealing happens under the reserve lock after the last claim moved the producer position
        return !kernel && (int) INT.getAcquire(control, RingLayout.SEALED) != 0 && producerPosition() == consumer;
    }

    private void sleepOnFutex(int state, long slice) {
        if (state == EMPTY) checkNothingProduced(); // about to sleep: on corrupt positions it would sleep for ever
        store();
        long headerSeen = (long) LONG.getAcquire(data, consumer & mask);
        INT.setVolatile(control, RingLayout.CONSUMER_WAIT, 1);
        VarHandle.fullFence();
        if (fencesProducers && !Membarrier.fenceRegisteredProcesses()) {
            // refused after all: producers go back to fencing their commits; this sleep is a slice at most
            fencesProducers = false;
            INT.setVolatile(control, RingLayout.CONSUMER_FENCES, 0);
        }
        // releases publish without a fence; before sleeping, make sure no producer sleeps on a wake-up they skipped
        wakeProducers();
        // a claim or a commit changes the header at the consumer position
        boolean changed = (long) LONG.getVolatile(data, consumer & mask) != headerSeen
                || (state == EMPTY && (int) INT.getVolatile(control, RingLayout.SEALED) != 0);
        if (changed) return;
        Waits.sleep(ring, RingLayout.CONSUMER_WAIT, 1, slice);
    }

    private void sleepOnKernel(int state, long slice) {
        if (state == BUSY) {
            // a reserved record makes epoll report the ring readable at once: look again shortly instead
            LockSupport.parkNanos(Math.min(slice, KERNEL_BUSY_PARK_NANOS));
            return;
        }
        if (Thread.currentThread().isVirtual()) {
            // epoll_wait would hold the carrier; the one consumer of a ring looks again a thousand times a second
            LockSupport.parkNanos(Math.min(slice, VIRTUAL_KERNEL_PARK_NANOS));
            return;
        }
        // the consumer position is published by a release store; the full fence keeps the re-read of the producer
        // position after it (libbpf's lost wake-up: the kernel wakes only a consumer that has caught up)
        store();
        VarHandle.fullFence();
        if ((long) LONG.getVolatile(producerPosition, 0L) != producerSeen) return;
        Waits.checkOpen(ring);
        if (epoll != null) epoll.await(slice); // a scratch ring has nothing to wait on: its warm-up only spins
    }

    /**
     * Skips the BUSY record at the consumer position if its claimer's handle is gone.
     *
     * @return true if the record was skipped, or committed meanwhile
     */
    private boolean skipIfClaimerGone() {
        long at = consumer & mask;
        int header = (int) INT.getAcquire(data, at);
        if ((header & RingLayout.BUSY) == 0) return true;
        int claimer = (int) INT.getAcquire(data, at + 4);
        if (claimer == ownToken || ProcessSlots.isAlive(control, ring.lockFd(), claimer)) return false;
        producerSeen = producerPosition();
        if (producerSeen == consumer) {
            // the claimer died inside the reserve lock after writing the header, before moving the producer
            // position: the record never became part of the ring. Clear the header, unless the producer that took
            // the lock over has written its own there already.
            long word = (long) LONG.getAcquire(data, at);
            if ((int) word == header && (int) (word >>> 32) == claimer) LONG.compareAndSet(data, at, word, 0L);
            return true;
        }
        int length = header & RingLayout.LENGTH_MASK;
        // the claim moved the producer position past the whole record before anyone could see it there
        if (RingLayout.recordSize(length) > producerSeen - consumer) throw corrupt(length);
        // the claimer can never commit now; mark the record as it is treated, so a later reader of the file agrees
        if (!INT.compareAndSet(data, at, header, length | RingLayout.DISCARD)) return true;
        long size = RingLayout.recordSize(length);
        lost++;
        long total = (long) LONG.getAndAdd(control, RingLayout.LOST_RECORDS, 1L) + 1;
        LONG.getAndAdd(control, RingLayout.LOST_BYTES, size);
        consumed(at, size);
        RecordsLostEvent.emit(ring.name(), 1, size, ProcessSlots.pidOf(control, claimer), total);
        return true;
    }

    private CorruptMapException corrupt(int length) {
        return ring.corrupt("the record at position " + consumer + " says " + length + " bytes, more than were produced"
                + " after it (the producer position is " + producerSeen + ")");
    }

    /** The pid of the ring's live consumer (0 when it has none), as another handle than the consumer's sees it. */
    public static int consumerPid(RingRegion ring) {
        return ConsumerLock.consumerPid(ring);
    }

    /** The position of the next record to read. */
    public long position() {
        return consumer;
    }

    /** Discarded records this consumer skipped. */
    public long discarded() {
        return discarded;
    }

    /** Records this consumer skipped because their producer died before committing them. */
    public long lost() {
        return lost;
    }

    /** Gives the consumer role up (the ring stays open). */
    @Override
    public void close() {
        try {
            if (epoll != null) epoll.close();
        } finally {
            if (!ring.isScratch()) ConsumerLock.release(ring);
        }
    }
}
