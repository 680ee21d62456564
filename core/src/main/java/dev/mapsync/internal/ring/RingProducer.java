package dev.mapsync.internal.ring;

import dev.mapsync.CorruptMapException;
import dev.mapsync.LockTimeoutException;
import dev.mapsync.internal.events.LockTakeoverEvent;
import dev.mapsync.internal.events.RingFullEvent;
import dev.mapsync.internal.hooks.TestHooks;
import dev.mapsync.internal.lock.EntryLocks;
import dev.mapsync.internal.lock.ProcessSlots;
import dev.mapsync.internal.sys.Membarrier;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.concurrent.locks.LockSupport;

import static dev.mapsync.internal.sys.Words.INT;
import static dev.mapsync.internal.sys.Words.LONG;

/**
 * The producer side of an shm ring: many producers, in any processes, claim records, fill them in place and
 * commit or discard them, as BPF programs do with {@code bpf_ringbuf_reserve}, {@code _submit} and
 * {@code _discard}.
 *
 * <p><b>Claiming</b> mirrors the kernel's {@code __bpf_ringbuf_reserve}, with a robust lock where the kernel has a
 * spinlock: under the ring's reserve lock a producer checks for room against the consumer position, writes the
 * record's header ({@code length | BUSY}, and its owner token in the second word) with one 8-byte release store,
 * and only then moves the producer position forward with a release store. The space it claims is zero (the
 * consumer zeroes what it consumed), so the header alone tells the consumer a record is there. So every position
 * below the producer position has a header, and a record is claimed by exactly one producer. The critical section
 * is a handful of stores: waiters spin, then yield. The lock word holds its owner's token; a waiter that finds the
 * owner's handle gone (the process died) takes the lock over. A lock still held at the claim's own deadline (the
 * map's lock timeout for a claim that does not wait for room), and for at least {@link #LOCK_GRACE_NANOS}, ends the
 * claim with a {@link LockTimeoutException}: only a peer that wrote a live token into the word holds it that long,
 * and nothing else would end the wait. Nothing needs repair: a header written without the position moved is
 * overwritten by the next claim (or cleared by the consumer, which never reads past the producer position for a dead
 * claimer's header), and a position moved past a header leaves a BUSY record whose claimer is dead, which the
 * consumer skips.
 *
 * <p><b>Committing</b> clears BUSY (or sets DISCARD), and then wakes the consumer only if it said it sleeps (its
 * wait word is 1): register, fence, re-check, sleep on the consumer side pairs with commit, fence, check on this
 * one, so no wake-up is lost. The fence on this side is an atomic exchange of the header, which waits for the
 * consumer's copy of that cache line to be taken back, on every record. So where it can, the consumer pays for both
 * sides instead: a process whose producers registered for {@code membarrier} ({@link Membarrier}) commits with a
 * release store, while the consumer says (in its record) that before it sleeps it runs that barrier on every
 * registered process, after registering as a sleeper and before its re-check.
 *
 * <p><b>Waiting for room</b>: a producer that finds the ring full sets the producer wait word, fences, checks for
 * room again and sleeps on the word in slices; the consumer wakes every such producer when it frees space.
 */
public final class RingProducer {

    /** {@link #reserve} results that are not positions. */
    public static final long FULL = -1, SEALED = -2;
    /** A deadline that stands for "the lock timeout from when the wait began". */
    private static final long NO_DEADLINE = Long.MIN_VALUE;

    private static final int SPINS = 64;
    private static final long LIVENESS_AFTER_NANOS = 2_000_000;
    /**
     * The least a claim waits for the reserve lock, whatever its own deadline: a holder does a few stores, and one
     * preempted in them is back within a scheduler slice or two, so that a claim that waits for no room (or little) is
     * not refused for it; only a peer that wrote a live token into the word holds the lock longer.
     */
    private static final long LOCK_GRACE_NANOS = 10_000_000;
    private static final long ROOM_SPINS = 256;
    static final long SLICE_NANOS = 10_000_000;
    /** The longest a producer sleeps waiting for room before it looks again by itself. */
    private static final long ROOM_SLICE_NANOS = 1_000_000_000L;

    private final RingRegion ring;
    private final MemorySegment control;
    /** The positions: words of the control region of an shm ring, the kernel's pages of a user ring. */
    private final MemorySegment producerPosition, consumerPosition;
    private final MemorySegment data;
    private final long capacity;
    private final long mask;
    private final int token;
    /** How long a claim that does not wait for room, or a seal, waits for the reserve lock. */
    private final long lockTimeoutNanos;
    /** The consumer position as last read; only read and written under the reserve lock. */
    private long consumerSeen;
    /** True for an shm ring, whose free space is zero (a kernel user ring's is what the kernel left). */
    private final boolean zeroFreeSpace;
    /** True if this process is registered for the consumer's membarrier, so commits need no fence of their own. */
    private final boolean fencedByConsumer = Membarrier.registerThisProcess();

    /**
     * @param token            this handle's owner token
     * @param lockTimeoutNanos how long a claim that does not wait for room, or a seal, waits for the reserve lock
     */
    public RingProducer(RingRegion ring, int token, long lockTimeoutNanos) {
        this.ring = ring;
        this.control = ring.control();
        this.producerPosition = ring.producerPosition();
        this.consumerPosition = ring.consumerPosition();
        this.data = ring.data();
        this.capacity = ring.capacity();
        this.mask = capacity - 1;
        this.token = token;
        this.lockTimeoutNanos = lockTimeoutNanos;
        this.zeroFreeSpace = !ring.isKernel();
        // checked with the producer position at the first claim (a consumer position past it is corrupt)
        this.consumerSeen = (long) LONG.getAcquire(consumerPosition, 0L);
    }

    /** The records, mapped twice: a payload at {@link #payloadOffset} is contiguous however it wraps. */
    public MemorySegment data() {
        return data;
    }

    /** The offset in {@link #data()} of the payload of the record at {@code position}. */
    public long payloadOffset(long position) {
        return (position & mask) + RingLayout.HEADER_SIZE;
    }

    /**
     * Claims a record of {@code length} payload bytes (which must fit the ring).
     *
     * @return its position, or {@link #FULL} when there is no room now, or {@link #SEALED} when the ring takes no
     *         more records
     * @throws LockTimeoutException if the reserve lock stayed held for the lock timeout
     */
    public long reserve(int length) {
        long position = tryReserve(length, NO_DEADLINE);
        if (position == FULL) {
            RingFullEvent full = RingFullEvent.ifWanted();
            if (full != null) write(full, length);
        }
        return position;
    }

    /**
     * Claims a record, waiting for room until {@code deadline} ({@link System#nanoTime()}).
     *
     * @return its position, {@link #FULL} if the deadline passed first, or {@link #SEALED}
     * @throws LockTimeoutException if the reserve lock stayed held until the deadline
     */
    public long reserve(int length, long deadline) {
        // the Flight Recorder's record of a claim that fails: begun when the ring is first found full, if a recording
        // wants it (a claim that finds room loads no event class), written if the claim gives up
        boolean found = false;
        RingFullEvent wait = null;
        for (int attempt = 0; ; attempt++) {
            long position = tryReserve(length, deadline);
            if (position != FULL) return position;
            if (!found) {
                found = true;
                wait = RingFullEvent.beginIfEnabled();
            }
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                if (wait != null && wait.endWait()) write(wait, length);
                return FULL;
            }
            if (attempt < ROOM_SPINS) {
                Thread.onSpinWait();
                continue;
            }
            INT.setVolatile(control, RingLayout.PRODUCER_WAIT, 1);
            VarHandle.fullFence();
            if (hasRoom(length)) continue;
            // the consumer wakes waiting producers whenever it frees space, and a seal wakes them too
            Waits.sleep(ring, RingLayout.PRODUCER_WAIT, 1, Math.min(ROOM_SLICE_NANOS, deadline - now));
            Waits.checkInterrupt(ring, "waiting for room in ring '" + ring.name() + "'");
        }
    }

    /** Writes the Flight Recorder's record {@code event} of a claim of {@code length} bytes that found no room. */
    private void write(RingFullEvent event, int length) {
        // the positions where this ring keeps them: a user ring's are the kernel's pages, not the control region
        long used = (long) LONG.getVolatile(producerPosition, 0L) - (long) LONG.getVolatile(consumerPosition, 0L);
        event.write(ring.name(), length, RingLayout.recordSize(length), used, capacity);
    }

    /**
     * {@link #reserve(int)}, without telling the Flight Recorder of a failure, waiting for the reserve lock until
     * {@code deadline} ({@link #NO_DEADLINE}: for the lock timeout).
     */
    private long tryReserve(int length, long deadline) {
        long size = RingLayout.recordSize(length);
        lock(deadline);
        try {
            if ((int) INT.get(control, RingLayout.SEALED) != 0) return SEALED;
            long producer = (long) LONG.getAcquire(producerPosition, 0L);
            // free checks of the two words in registers: positions are multiples of 8, and the consumer position read
            // before (which only grows) is never past the producer position, which only the lock's holder moves
            if (((producer | consumerSeen) & 7) != 0 || producer - consumerSeen < 0) {
                ring.checkPositions(producer, consumerSeen);
            }
            if (producer + size - consumerSeen > capacity) {
                consumerSeen = (long) LONG.getAcquire(consumerPosition, 0L);
                ring.checkPositions(producer, consumerSeen);
                if (producer + size - consumerSeen > capacity) return FULL;
            }
            if (zeroFreeSpace) checkFree(producer);
            // the header in one 8-byte store: a consumer that sees a non-zero header sees all of it (free space is
            // zero, so a zero header means "nothing claimed here yet"); it is visible before the position moves
            LONG.setRelease(data, producer & mask, (long) token << 32 | Integer.toUnsignedLong(length | RingLayout.BUSY));
            if (TestHooks.ENABLED) TestHooks.ringAfterHeader();
            LONG.setRelease(producerPosition, 0L, producer + size);
            if (TestHooks.ENABLED) TestHooks.ringInReserve();
            return producer;
        } finally {
            INT.setRelease(control, RingLayout.RESERVE_LOCK, 0);
        }
    }

    /**
     * Checks that the producer position is on free space, which is zero in an shm ring: a position a peer moved back
     * onto a record not yet read would have this claim overwrite it, lost without a word. The one header allowed
     * there is a claim whose claimer died (or this handle's own) before it moved the position: it is overwritten.
     *
     * @throws CorruptMapException if a record is there
     */
    private void checkFree(long producer) {
        long header = (long) LONG.getAcquire(data, producer & mask);
        if (header == 0) return;
        int word = (int) header, owner = (int) (header >>> 32);
        if ((word & RingLayout.BUSY) != 0 && (owner == token || !ProcessSlots.isAlive(control, ring.lockFd(), owner))) {
            return;
        }
        throw ring.corrupt("its producer position " + producer + " is not on free space: a record of "
                + (word & RingLayout.LENGTH_MASK) + " bytes is there");
    }

    private boolean hasRoom(int length) {
        long producer = (long) LONG.getVolatile(producerPosition, 0L);
        long consumer = (long) LONG.getVolatile(consumerPosition, 0L);
        return producer + RingLayout.recordSize(length) - consumer <= capacity;
    }

    /** Publishes the record at {@code position} (or marks it to be skipped), then wakes the consumer if it sleeps. */
    public void commit(long position, int length, boolean discard) {
        int header = length | (discard ? RingLayout.DISCARD : 0);
        boolean consumerMaySleep;
        if (fencedByConsumer && (int) INT.get(control, RingLayout.CONSUMER_FENCES) != 0) {
            // the store comes before the load in program order, which is all the consumer's barrier needs
            INT.setRelease(data, position & mask, header);
            consumerMaySleep = (int) INT.getAcquire(control, RingLayout.CONSUMER_WAIT) != 0;
        } else {
            INT.getAndSet(data, position & mask, header);
            consumerMaySleep = (int) INT.getVolatile(control, RingLayout.CONSUMER_WAIT) != 0;
        }
        if (consumerMaySleep && (int) INT.getAndSet(control, RingLayout.CONSUMER_WAIT, 0) != 0) {
            Waits.wake(ring, RingLayout.CONSUMER_WAIT, 1);
        }
    }

    /**
     * Stops all further claims: sets the sealed word under the reserve lock, so no claim can slip past it.
     *
     * @throws LockTimeoutException if the reserve lock stayed held for the lock timeout
     */
    public void seal() {
        lock(NO_DEADLINE);
        try {
            INT.setRelease(control, RingLayout.SEALED, 1);
        } finally {
            INT.setRelease(control, RingLayout.RESERVE_LOCK, 0);
        }
        // a sealed, drained ring ends the consumer's waits, and producers waiting for room learn it is sealed
        INT.setVolatile(control, RingLayout.CONSUMER_WAIT, 0);
        Waits.wake(ring, RingLayout.CONSUMER_WAIT, 1);
        INT.setVolatile(control, RingLayout.PRODUCER_WAIT, 0);
        Waits.wake(ring, RingLayout.PRODUCER_WAIT, Integer.MAX_VALUE);
    }

    /** Takes the reserve lock, waiting until {@code deadline} ({@link #NO_DEADLINE}: for the lock timeout). */
    private void lock(long deadline) {
        // the load first: it is free when the lock is held, and a guarded access if the file shrank (see Pages)
        if ((int) INT.getOpaque(control, RingLayout.RESERVE_LOCK) != 0
                || !INT.compareAndSet(control, RingLayout.RESERVE_LOCK, 0, token)) {
            lockSlow(deadline);
        }
    }

    private void lockSlow(long deadline) {
        long start = 0;
        long nextCheck = 0;
        long park = 1_000;
        for (int i = 0; ; i++) {
            int owner = (int) INT.getVolatile(control, RingLayout.RESERVE_LOCK);
            if (owner == 0) {
                if (INT.compareAndSet(control, RingLayout.RESERVE_LOCK, 0, token)) return;
                continue;
            }
            if (i < SPINS) {
                Thread.onSpinWait();
                continue;
            }
            long now = System.nanoTime();
            if (start == 0) {
                start = now;
                nextCheck = now + LIVENESS_AFTER_NANOS;
                if (deadline == NO_DEADLINE) deadline = now + lockTimeoutNanos;
            }
            // a live owner holds the lock for a few stores: it was descheduled. A gone one never lets go.
            if (owner != token && now - nextCheck >= 0) {
                nextCheck = now + LIVENESS_AFTER_NANOS;
                if (!ProcessSlots.isAlive(control, ring.lockFd(), owner)
                        && INT.compareAndSet(control, RingLayout.RESERVE_LOCK, owner, token)) {
                    LockTakeoverEvent.emitReserve(ring.name(), ProcessSlots.pidOf(control, owner));
                    return;
                }
            }
            if (now - deadline >= 0 && now - start >= LOCK_GRACE_NANOS) throw timedOut(owner, now - start);
            if (now - start < LIVENESS_AFTER_NANOS) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(park);
                park = Math.min(park * 2, 100_000);
            }
        }
    }

    private LockTimeoutException timedOut(int owner, long waitedNanos) {
        int pid = ProcessSlots.pidOf(control, owner);
        boolean alive = owner == token || ProcessSlots.isAlive(control, ring.lockFd(), owner);
        return new LockTimeoutException("timed out after " + EntryLocks.millis(waitedNanos)
                + " waiting for the reserve lock of ring '" + ring.name() + "': held by "
                + ProcessSlots.holder(control, owner).who(pid, alive), pid, alive, null);
    }
}
