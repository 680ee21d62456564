package dev.mapsync;

import dev.mapsync.internal.ring.RingProducer;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A record claimed in a {@link SharedRing}, to be written in place and then committed (the consumer reads it) or
 * discarded (the consumer skips it), as a BPF program does with {@code bpf_ringbuf_reserve}, {@code _submit} and
 * {@code _discard}. Closing a claim that was neither committed nor discarded discards it, so a try-with-resources
 * block that throws leaves no half-written record behind:
 *
 * <pre>{@code
 * try (RingClaim claim = ring.claim(24, Duration.ofSeconds(1))) {
 *     MemorySegment p = claim.payload();
 *     p.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, id);
 *     p.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, amount);
 *     claim.commit();
 * }
 * }</pre>
 * The consumer reads records in the order they were claimed, so it waits at an open claim: keep claims short.
 *
 * <p><b>Threads.</b> A claim may be handed to another thread (as any object is, with a happens-before edge, so that
 * the bytes written are seen): {@link #commit}, {@link #discard} and {@link #close} take effect once, whichever
 * thread calls them and however many call them at once; a second commit or discard throws
 * {@link IllegalStateException}, a later close does nothing.
 */
public final class RingClaim implements AutoCloseable {
    private static final VarHandle DONE;

    static {
        try {
            DONE = MethodHandles.lookup().findVarHandle(RingClaim.class, "done", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final SharedRing ring;
    private final RingProducer producer;
    private final long position;
    private final int length;
    private final MemorySegment payload;
    /** Set once, by the one call that commits or discards: a header written twice could land in reused space. */
    private volatile boolean done;

    RingClaim(SharedRing ring, RingProducer producer, long position, int length) {
        this.ring = ring;
        this.producer = producer;
        this.position = position;
        this.length = length;
        this.payload = producer.data().asSlice(producer.payloadOffset(position), length);
    }

    /**
     * The record's bytes, writable until it is committed or discarded (a record that wraps is still one piece).
     *
     * @return a view of the record's space in the ring, of {@link #length()} bytes
     * @throws IllegalStateException if the record was committed or discarded
     */
    public MemorySegment payload() {
        if (done) throw new IllegalStateException("the record at position " + position + " of ring '" + ring.name()
                + "' was already committed or discarded");
        return payload;
    }

    /** {@return the record's length in bytes} */
    public int length() {
        return length;
    }

    /** {@return the record's position in the ring: its byte offset in the stream of all records ever claimed} */
    public long position() {
        return position;
    }

    /**
     * Publishes the record to the consumer.
     *
     * @throws IllegalStateException if the record was committed or discarded already
     * @throws MapClosedException    if the ring's handle was closed (the record is then lost, as a dead producer's)
     */
    public void commit() {
        finish(false);
    }

    /**
     * Gives the record up: the consumer skips it.
     *
     * @throws IllegalStateException if the record was committed or discarded already
     * @throws MapClosedException    if the ring's handle was closed
     */
    public void discard() {
        finish(true);
    }

    /** {@return true once committed or discarded} */
    public boolean isDone() {
        return done;
    }

    private void finish(boolean discard) {
        if (!DONE.compareAndSet(this, false, true)) {
            throw new IllegalStateException("the record at position " + position + " of ring '" + ring.name()
                    + "' was already committed or discarded");
        }
        try {
            producer.commit(position, length, discard);
        } catch (IllegalStateException | InternalError e) {
            throw ring.closedOr(e);
        }
    }

    /** Discards the record unless it was committed or discarded. */
    @Override
    public void close() {
        if (!done && DONE.compareAndSet(this, false, true)) {
            try {
                producer.commit(position, length, true);
            } catch (IllegalStateException e) {
                throw ring.closedOr(e);
            }
        }
    }
}
