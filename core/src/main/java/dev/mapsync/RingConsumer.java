package dev.mapsync;

import dev.mapsync.internal.ring.RingReader;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
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
 * }
 * }</pre>
 *
 * <p>Waiting: a consumer reads everything committed before it sleeps. On an shm ring it then sleeps in
 * {@code FUTEX_WAIT} on the ring's consumer wait word (producers wake it only when it says it sleeps); on a kernel
 * ring it sleeps in {@code epoll_wait} on the map's descriptor. Every wait is bounded by its timeout.
 *
 * <p>A consumer is used from one thread at a time. Closing it gives the consumer role up (so another handle, in
 * any process, can take it) and leaves the ring open; the next consumer starts where this one stopped.
 */
public final class RingConsumer implements AutoCloseable {
    private final SharedRing ring;
    private final RingReader reader;
    private final RingRecord record = new RingRecord(this);
    private volatile boolean closed;

    RingConsumer(SharedRing ring, RingReader reader) {
        this.ring = ring;
        this.reader = reader;
    }

    /**
     * The next committed record, if there is one now, without copying it. Release it (or close it) before asking for
     * the next one.
     *
     * @return the record, or null when none is ready
     * @throws IllegalStateException if the previous record was not released
     */
    public RingRecord next() {
        checkReady();
        try {
            return reader.advanceChecked() == RingReader.READY ? hold() : null;
        } catch (IllegalStateException | InternalError e) {
            throw ring.closedOr(e);
        }
    }

    /**
     * The next committed record, waiting up to {@code timeout} for one, without copying it.
     *
     * @return the record, or null on timeout, or at once when the ring is sealed and drained
     */
    public RingRecord next(Duration timeout) {
        checkReady();
        long deadline = System.nanoTime() + Math.min(timeout.toNanos(), Long.MAX_VALUE / 4);
        try {
            return reader.await(deadline) ? hold() : null;
        } catch (IllegalStateException | InternalError e) {
            throw ring.closedOr(e);
        }
    }

    /** A copy of the next committed record, if there is one now (it is released); null when none is ready. */
    public byte[] poll() {
        return copyOf(next());
    }

    /** A copy of the next committed record, waiting up to {@code timeout}; null on timeout or when sealed and drained. */
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
     * space is freed for producers together, when the batch ends.
     *
     * @return how many records the handler got
     */
    public int drain(Consumer<MemorySegment> handler, int limit) {
        checkReady();
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
        } catch (IllegalStateException | InternalError e) {
            throw ring.closedOr(e);
        } finally {
            reader.endBatch();
        }
        return n;
    }

    /** Reads a queue value of {@code codec} from the current record (for {@link SharedQueue}). */
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

    /** True when the ring is sealed and every record was read: no more will come. */
    public boolean isDrained() {
        checkOpen();
        try {
            return reader.drainedAndSealed();
        } catch (IllegalStateException | InternalError e) {
            throw ring.closedOr(e);
        }
    }

    /** The position of the next record: bytes of records consumed or skipped so far, by this and earlier consumers. */
    public long position() {
        return reader.position();
    }

    /** Discarded records this consumer skipped. */
    public long discarded() {
        return reader.discarded();
    }

    /** Records this consumer skipped because their producer died (or closed its handle) before committing them. */
    public long lost() {
        return reader.lost();
    }

    public boolean isClosed() {
        return closed;
    }

    /** Releases a held record and gives the consumer role up. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (ring.isClosed()) return;
        try {
            if (record.isHeld()) record.release();
        } catch (IllegalStateException ignored) {
            // the ring was closed meanwhile: nothing to release
        } finally {
            reader.close();
        }
    }

    private RingRecord hold() {
        MemorySegment payload = reader.data().asSlice(reader.payloadOffset(), reader.recordLength()).asReadOnly();
        record.hold(payload, reader.recordPosition());
        return record;
    }

    void released() {
        try {
            reader.release();
        } catch (IllegalStateException | InternalError e) {
            throw ring.closedOr(e);
        }
    }

    private void checkReady() {
        checkOpen();
        if (record.isHeld()) {
            throw new IllegalStateException("release the record at position " + record.position()
                    + " before reading the next one: records are consumed in order");
        }
    }

    private void checkOpen() {
        ring.checkOpen();
        if (closed) throw new MapClosedException("this consumer of ring '" + ring.name() + "' is closed");
    }
}
