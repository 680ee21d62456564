package dev.mapsync;

import dev.mapsync.internal.ring.RingReader;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The one consumer of a ring ({@link SharedRing#consumer()}): it reads the records in the order they were
 * claimed, straight from the ring's memory, whether the ring is in shared memory or is a kernel
 * {@code BPF_MAP_TYPE_RINGBUF} that BPF programs fill. Discarded records are skipped; so are records whose producer
 * died before committing them (counted in {@link #lost()}).
 *
 * <pre>{@code
 * try (RingConsumer consumer = ring.consumer()) {
 *     RingRecord r = consumer.next(Duration.ofSeconds(1));   // zero-copy, or null on timeout
 *     if (r != null) {
 *         long id = r.payload().get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
 *         r.release();                                       // frees its space; the next record follows
 *     }
 *     byte[] copy = consumer.poll(Duration.ofSeconds(1));    // a copy, already released
 *     consumer.drain(payload -> handle(payload), 1000);       // a batch, each record released after the handler
 *     consumer.drain(payload -> handle(payload), 1000, Duration.ofSeconds(1)); // waiting for the first
 * }
 * }</pre>
 *
 * <p>Waiting: a consumer reads everything committed before it sleeps. On an shm ring it then sleeps in
 * {@code FUTEX_WAIT} on the ring's consumer wait word (producers wake it only when it says it sleeps); on a kernel
 * ring it sleeps in {@code epoll_wait} on the map's descriptor. Every wait is bounded by its timeout.
 *
 * <p><b>Threads.</b> A consumer is safe to share between the threads of a process: each record goes to exactly one
 * of them. Its calls take turns, and a record taken with {@link #next} without copying belongs to the thread that
 * took it until that thread releases it or gives it back ({@link RingRecord#unread()}) (records are consumed in order,
 * so nothing can be read past it meanwhile):
 * <ul>
 * <li>{@link #next(Duration)}, {@link #poll(Duration)} and {@link #drain(Consumer, int, Duration)} wait for the
 *     other thread's call or record, but never past their own timeout (then they return null, or 0, as on any
 *     timeout);</li>
 * <li>{@link #next()}, {@link #poll()} and {@link #drain(Consumer, int)} never wait: while another thread is inside
 *     the consumer or holds its record, they return null (0 for {@code drain}), as when nothing is ready;</li>
 * <li>the record's methods, called from a thread that does not hold it, throw {@link IllegalStateException};</li>
 * <li>a thread that holds the record, or runs {@code drain}'s handler, and calls {@code next}, {@code poll} or
 *     {@code drain} again gets {@link IllegalStateException} (it would wait for itself).</li>
 * </ul>
 * Closing it gives the consumer role up (so another handle, in any process, can take it) and leaves the ring open;
 * the next consumer starts where this one stopped. Any thread may close it: a wait in progress in another thread
 * then ends within a fraction of a second with {@link MapClosedException}, and the role is given up when the
 * thread holding the record (if one does) releases it or gives it back.
 */
public final class RingConsumer implements AutoCloseable {
    /** How often a thread waiting for a record looks whether another thread closed the consumer. */
    private static final long CLOSE_CHECK_NANOS = 50_000_000;

    private static final VarHandle POSITION, DISCARDED, LOST;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            POSITION = l.findVarHandle(RingConsumer.class, "position", long.class);
            DISCARDED = l.findVarHandle(RingConsumer.class, "discarded", long.class);
            LOST = l.findVarHandle(RingConsumer.class, "lost", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final SharedRing ring;
    private final RingReader reader;
    private final RingRecord record = new RingRecord(this);
    /**
     * Held by the thread inside a call, and by the thread that holds the record until it releases it: the reader's
     * state is only ever touched under it. Never held twice by one thread (re-entry is refused).
     */
    private final ReentrantLock turn = new ReentrantLock();
    private volatile boolean closed;
    /** True once the reader gave the consumer role up; set under {@link #turn}. */
    private volatile boolean roleGivenUp;
    /**
     * The reader's counts as of the last call that ended, for threads that ask while another reads: stored with
     * release and loaded with acquire (a plain store and load on x86), so that leaving costs no fence.
     */
    private long position, discarded, lost;
    /** Looks without entering ({@link #enterNow}) by the thread that was inside last. */
    private int looks;
    /**
     * The thread that was inside the consumer last: the one that looks without entering, since the position it
     * looks at is then usually its own. Written and read plainly: a stale value only decides whether to look.
     */
    private Thread lastInside;

    RingConsumer(SharedRing ring, RingReader reader) {
        this.ring = ring;
        this.reader = reader;
        POSITION.setRelease(this, reader.position());
    }

    /**
     * The next committed record, if there is one now, without copying it. Release it (or close it, or give it back)
     * before asking for the next one; until then it belongs to the calling thread.
     *
     * @return the record, or null when none is ready (or another thread is inside the consumer or holds its record)
     * @throws IllegalStateException if the calling thread holds the previous record, or runs {@code drain}'s handler
     */
    public RingRecord next() {
        if (!enterNow()) return null;
        boolean holding = false;
        try {
            if (reader.advanceChecked() != RingReader.READY) return null;
            holding = hold();
            return record;
        } catch (IllegalStateException | InternalError e) {
            throw ring.closedOr(e);
        } finally {
            if (!holding) leave();
        }
    }

    /**
     * The next committed record, waiting up to {@code timeout} for one (and for another thread's record or call),
     * without copying it. Until it is released it belongs to the calling thread.
     *
     * @param timeout how long to wait
     * @return the record, or null on timeout, or at once when the ring is sealed and drained
     * @throws WaitInterruptedException if the thread was interrupted while it waited
     * @throws IllegalStateException    if the calling thread holds the previous record, or runs {@code drain}'s handler
     */
    public RingRecord next(Duration timeout) {
        // a record ready now is taken without reading the clock, which costs as much as the rest of the take
        RingRecord ready = next();
        if (ready != null) return ready;
        long deadline = System.nanoTime() + Math.min(timeout.toNanos(), Long.MAX_VALUE / 4);
        if (!enter(deadline)) return null;
        boolean holding = false;
        try {
            if (!awaitRecord(deadline)) return null;
            holding = hold();
            return record;
        } catch (IllegalStateException | InternalError e) {
            throw ring.closedOr(e);
        } finally {
            if (!holding) leave();
        }
    }

    /**
     * Waits for a record until {@code deadline}, in slices, so that a close by another thread ends the wait soon.
     *
     * @return true when a record is ready
     */
    private boolean awaitRecord(long deadline) {
        while (true) {
            long slice = System.nanoTime() + CLOSE_CHECK_NANOS;
            boolean last = slice - deadline >= 0;
            if (reader.await(last ? deadline : slice)) return true;
            if (closed) throw closedConsumer();
            if (last || reader.drainedAndSealed()) return false;
        }
    }

    /**
     * A copy of the next committed record, if there is one now (it is released).
     *
     * @return the record's bytes, or null when none is ready (or another thread is inside the consumer)
     * @throws IllegalStateException if the calling thread holds a record, or runs {@code drain}'s handler
     */
    public byte[] poll() {
        return copyOf(next());
    }

    /**
     * A copy of the next committed record, waiting up to {@code timeout} (it is released).
     *
     * @param timeout how long to wait
     * @return the record's bytes, or null on timeout or when the ring is sealed and drained
     * @throws WaitInterruptedException if the thread was interrupted while it waited
     * @throws IllegalStateException    if the calling thread holds a record, or runs {@code drain}'s handler
     */
    public byte[] poll(Duration timeout) {
        return copyOf(next(timeout));
    }

    private byte[] copyOf(RingRecord r) {
        if (r == null) return null;
        try {
            return r.toArray();
        } finally {
            r.release();
        }
    }

    /**
     * Hands up to {@code limit} records that are committed now to {@code handler}, without copying; each is released
     * when the handler returns (or throws: the exception then ends the batch, and the record counts as read). Their
     * space is freed for producers together, when the batch ends. The handler runs in the calling thread, which is
     * inside the consumer meanwhile: it must not use this consumer.
     *
     * @param handler gets each record's bytes, a read-only view valid until it returns
     * @param limit   the most records to hand over
     * @return how many records the handler got (0 also while another thread is inside the consumer)
     */
    public int drain(Consumer<MemorySegment> handler, int limit) {
        if (!enterNow()) return 0;
        try {
            return batch(handler, limit);
        } catch (IllegalStateException | InternalError e) {
            throw ring.closedOr(e);
        } finally {
            leave();
        }
    }

    /**
     * {@link #drain(Consumer, int)}, waiting up to {@code timeout} for the first record (and for another thread's
     * record or call) when none is committed now: the loop of an application that handles records as they come, as
     * libbpf's {@code ring_buffer__poll} does. Its handler is one method the JIT compiles early, where a loop of
     * {@link #next(Duration)} calls in the application's own method may run in the interpreter for tens of thousands
     * of records.
     *
     * @param handler gets each record's bytes, a read-only view valid until it returns
     * @param limit   the most records to hand over
     * @param timeout how long to wait for the first
     * @return how many records the handler got: 0 on timeout, or at once when the ring is sealed and drained
     * @throws WaitInterruptedException if the thread was interrupted while it waited
     * @throws IllegalStateException    if the calling thread holds a record, or runs a drain's handler
     */
    public int drain(Consumer<MemorySegment> handler, int limit, Duration timeout) {
        int n = drain(handler, limit);
        if (n > 0 || limit <= 0) return n;
        long deadline = System.nanoTime() + Math.min(timeout.toNanos(), Long.MAX_VALUE / 4);
        if (!enter(deadline)) return 0;
        try {
            return awaitRecord(deadline) ? batch(handler, limit) : 0;
        } catch (IllegalStateException | InternalError e) {
            throw ring.closedOr(e);
        } finally {
            leave();
        }
    }

    /** Hands up to {@code limit} committed records to {@code handler}; the calling thread is inside the consumer. */
    private int batch(Consumer<MemorySegment> handler, int limit) {
        int n = 0;
        reader.beginBatch(); // the batch's space is freed with one store of the consumer position, at its end
        try {
            while (n < limit && reader.advanceChecked() == RingReader.READY) {
                n++;
                try {
                    // a view made here and not kept, so that the JIT can do without it
                    handler.accept(reader.data().asSlice(reader.payloadOffset(), reader.recordLength()).asReadOnly());
                } finally {
                    reader.release();
                }
            }
        } finally {
            reader.endBatch();
        }
        return n;
    }

    /** Reads a queue value of {@code codec} from the record the calling thread holds (for {@link SharedQueue}). */
    <T> T read(Codec<T> codec) {
        if (reader.recordLength() != codec.size()) {
            int length = reader.recordLength();
            record.release();
            throw new InvalidValueException("ring '" + ring.name() + "': a record of " + length + " bytes is not a value"
                    + " of " + codec.schema() + " (" + codec.size() + " bytes); it was skipped");
        }
        try {
            return codec.read(reader.data(), reader.payloadOffset());
        } finally {
            record.release();
        }
    }

    /**
     * True when the ring is sealed and every record was read: no more will come. False while another thread is inside
     * the consumer (it is reading or holds a record, so the ring was not drained when this was asked).
     *
     * @return true when no more records will come
     */
    public boolean isDrained() {
        checkOpen();
        if (turn.isHeldByCurrentThread()) return false; // this thread holds a record, which is not read yet
        if (!turn.tryLock()) return false;
        try {
            return reader.drainedAndSealed();
        } catch (IllegalStateException | InternalError e) {
            throw ring.closedOr(e);
        } finally {
            leave();
        }
    }

    /**
     * The position of the next record: bytes of records consumed or skipped so far, by this and earlier consumers
     * (as of the last call that ended, while another thread is inside the consumer).
     *
     * @return the stream offset of the next record
     */
    public long position() {
        return turn.isHeldByCurrentThread() ? reader.position() : (long) POSITION.getAcquire(this);
    }

    /** {@return how many discarded records this consumer skipped} */
    public long discarded() {
        return turn.isHeldByCurrentThread() ? reader.discarded() : (long) DISCARDED.getAcquire(this);
    }

    /** {@return how many records this consumer skipped because their producer died (or closed its handle) before committing them} */
    public long lost() {
        return turn.isHeldByCurrentThread() ? reader.lost() : (long) LOST.getAcquire(this);
    }

    /** {@return true once {@link #close()} was called} */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Releases the record, if the calling thread holds it, and gives the consumer role up. Idempotent; any thread may
     * call it. If another thread is inside the consumer, the role is given up when that thread leaves: a wait ends
     * within a fraction of a second, a record when it is released.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (record.isHeldByCurrentThread()) {
            try {
                record.release(); // and leaving gives the role up
                return;
            } catch (MapClosedException ignored) {
                // the ring was closed meanwhile: nothing to release
            }
        }
        giveUpRoleIfFree();
    }

    /** Gives the consumer role up, unless a thread is inside the consumer: that thread does it when it leaves. */
    private void giveUpRoleIfFree() {
        if (roleGivenUp || turn.isHeldByCurrentThread() || !turn.tryLock()) return;
        try {
            if (!roleGivenUp) {
                roleGivenUp = true;
                reader.close(); // gives up the role (unless the ring was closed: its descriptor took the role along)
            }
        } finally {
            turn.unlock();
        }
    }

    /**
     * Hands the record the reader is at to the calling thread, which stays inside the consumer until it releases it;
     * unless another thread closed the consumer meanwhile (the record then stays unread, for the next consumer).
     *
     * @return true
     */
    private boolean hold() {
        if (closed) throw closedConsumer();
        MemorySegment payload = reader.data().asSlice(reader.payloadOffset(), reader.recordLength()).asReadOnly();
        record.hold(payload, reader.recordPosition());
        return true;
    }

    /** The record was released by the thread that held it: frees its space, and that thread leaves the consumer. */
    void released() {
        try {
            reader.release();
        } catch (IllegalStateException | InternalError e) {
            throw ring.closedOr(e);
        } finally {
            leave();
        }
    }

    /** The record was given back by the thread that held it: it stays where it is, and that thread leaves. */
    void unread() {
        leave();
    }

    String ringName() {
        return ring.name();
    }

    /**
     * Enters the consumer if no other thread is inside it and a record may be there; never waits. The thread that was
     * inside last first looks without entering, where it left the consumer: what a consumer that polls does most, for
     * the price of two loads, where entering and leaving cost an atomic instruction and a dozen more. A position
     * another thread moved meanwhile is one that thread was inside the consumer for, when "nothing ready" is the
     * answer anyway. Every 64th look enters, and its reader checks the positions if it finds nothing (as after 64
     * looks of its own). Other threads enter at once: when every thread looked first, eight threads sharing a queue
     * got values less often, and all of them ended up waiting for room (RingThreadsTest).
     */
    private boolean enterNow() {
        checkEntry();
        boolean sixtyFourth = false;
        if (lastInside == Thread.currentThread()) {
            sixtyFourth = (++looks & 63) == 0;
            if (!sixtyFourth && nothingAt((long) POSITION.getAcquire(this))) return false;
        }
        if (!turn.tryLock() || !enteredOpen()) return false;
        if (sixtyFourth) reader.checkNextEmptyLook();
        return true;
    }

    private boolean nothingAt(long position) {
        try {
            return reader.nothingAt(position);
        } catch (IllegalStateException | InternalError e) {
            throw ring.closedOr(e);
        }
    }

    /**
     * Enters the consumer, waiting until {@code deadline} ({@link System#nanoTime()}) for another thread to leave it.
     *
     * @return false if the deadline passed first
     */
    private boolean enter(long deadline) {
        checkEntry();
        try {
            if (!turn.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WaitInterruptedException("interrupted while waiting for another thread to release its record of"
                    + " ring '" + ring.name() + "'");
        }
        return enteredOpen();
    }

    /** Leaves at once if the consumer was closed while this thread waited to enter. */
    private boolean enteredOpen() {
        if (!closed) return true;
        leave();
        throw closedConsumer();
    }

    /** Leaves the consumer, publishing its counts; a close that came meanwhile gives the role up now. */
    private void leave() {
        POSITION.setRelease(this, reader.position());
        DISCARDED.setRelease(this, reader.discarded());
        LOST.setRelease(this, reader.lost());
        lastInside = Thread.currentThread();
        turn.unlock();
        if (closed) giveUpRoleIfFree();
    }

    private void checkEntry() {
        checkOpen();
        if (turn.isHeldByCurrentThread()) {
            if (record.isHeldByCurrentThread()) {
                throw new IllegalStateException("release the record at position " + record.heldPosition()
                        + " before reading the next one: records are consumed in order");
            }
            throw new IllegalStateException("the consumer of ring '" + ring.name() + "' was used from its own drain"
                    + " handler: the handler runs while the batch is read, so it must not read from the consumer");
        }
    }

    private void checkOpen() {
        ring.checkOpen();
        if (closed) throw closedConsumer();
    }

    private MapClosedException closedConsumer() {
        return new MapClosedException("this consumer of ring '" + ring.name() + "' is closed");
    }
}
