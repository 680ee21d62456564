package dev.mapsync;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A record read from a ring without copying: a view of the ring's own memory, valid until it is released (closing
 * it releases it) or given back unread ({@link #unread()}). Its space is not reused while it is held, and the
 * consumer reads no further record until then. A consumer has one such record object and reuses it for every record.
 *
 * <p><b>Threads.</b> A record belongs to the thread that took it ({@link RingConsumer#next}) until that thread releases
 * it or gives it back: its bytes are the ring's, and only that thread knows when it is done with them. Every method but
 * {@link #isHeld()} and {@link #close()}, called from another thread, throws {@link IllegalStateException} naming the
 * holder; {@code close()} from a thread that does not hold it does nothing (as for a record released already). Copy the
 * bytes ({@link #toArray()}) to hand them to another thread.
 */
public final class RingRecord implements AutoCloseable {
    private final RingConsumer consumer;
    private MemorySegment payload;
    private long position;
    /**
     * The thread that holds the record, or null once it is released or given back; written last when the record is
     * taken.
     */
    private volatile Thread holder;

    RingRecord(RingConsumer consumer) {
        this.consumer = consumer;
    }

    void hold(MemorySegment payload, long position) {
        this.payload = payload;
        this.position = position;
        this.holder = Thread.currentThread();
    }

    /**
     * The record's bytes, read-only; valid until {@link #release()} or {@link #unread()}.
     *
     * @return a read-only view of the record in the ring's memory
     * @throws IllegalStateException if the record was released or given back, or another thread holds it
     */
    public MemorySegment payload() {
        checkHeld();
        return payload;
    }

    /**
     * {@return the record's length in bytes}
     *
     * @throws IllegalStateException if the record was released or given back, or another thread holds it
     */
    public int length() {
        checkHeld();
        return (int) payload.byteSize();
    }

    /**
     * {@return the record's position: its byte offset in the stream of all records of the ring}
     *
     * @throws IllegalStateException if the record was released or given back, or another thread holds it
     */
    public long position() {
        checkHeld();
        return position;
    }

    /**
     * {@return a copy of the record's bytes}
     *
     * @throws IllegalStateException if the record was released or given back, or another thread holds it
     */
    public byte[] toArray() {
        checkHeld();
        return payload.toArray(ValueLayout.JAVA_BYTE);
    }

    /** {@return true until released (whichever thread asks)} */
    public boolean isHeld() {
        return holder != null;
    }

    boolean isHeldByCurrentThread() {
        return holder == Thread.currentThread();
    }

    /** The position of the held record, for messages to the thread that holds it. */
    long heldPosition() {
        return position;
    }

    /**
     * Frees the record's space for producers and lets the consumer move on (to any thread).
     *
     * @throws IllegalStateException if the record was released or given back, or another thread holds it
     * @throws MapClosedException    if the ring's handle was closed meanwhile
     */
    public void release() {
        checkHeld();
        holder = null;
        payload = null;
        consumer.released();
    }

    /**
     * Gives the record back without consuming it: its space stays taken, and the consumer's next read returns it
     * again (this consumer's, or, once it is closed, the next consumer's, in any process). For a consumer that could
     * not hand the record on, such as one whose output went away, so that the record is not lost.
     *
     * @throws IllegalStateException if the record was released or given back, or another thread holds it
     */
    public void unread() {
        checkHeld();
        holder = null;
        payload = null;
        consumer.unread();
    }

    /** {@link #release()}, if the calling thread holds the record; else nothing. */
    @Override
    public void close() {
        if (isHeldByCurrentThread()) release();
    }

    private void checkHeld() {
        Thread h = holder;
        if (h == Thread.currentThread()) return;
        if (h == null) {
            throw new IllegalStateException("the record was released or given back; a record's bytes are valid only"
                    + " until then");
        }
        throw new IllegalStateException("the record at position " + position + " of ring '" + consumer.ringName()
                + "' belongs to thread '" + h.getName() + "' (#" + h.threadId() + "), which took it: only that thread"
                + " may read or release it (copy the bytes to share them)");
    }
}
