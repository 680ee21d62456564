package dev.mapsync;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A record read from a ring without copying: a view of the ring's own memory, valid until it is released. Its
 * space is not reused while it is held, and the consumer reads no further record until it is released (closing it
 * releases it). A consumer has one such record object and reuses it for every record.
 */
public final class RingRecord implements AutoCloseable {
    private final RingConsumer consumer;
    private MemorySegment payload;
    private long position;
    private boolean held;

    RingRecord(RingConsumer consumer) {
        this.consumer = consumer;
    }

    void hold(MemorySegment payload, long position) {
        this.payload = payload;
        this.position = position;
        this.held = true;
    }

    /** The record's bytes, read-only; valid until {@link #release()}. */
    public MemorySegment payload() {
        checkHeld();
        return payload;
    }

    /** The record's length in bytes. */
    public int length() {
        checkHeld();
        return (int) payload.byteSize();
    }

    /** The record's position: its byte offset in the stream of all records of the ring. */
    public long position() {
        checkHeld();
        return position;
    }

    /** A copy of the record's bytes. */
    public byte[] toArray() {
        checkHeld();
        return payload.toArray(ValueLayout.JAVA_BYTE);
    }

    /** True until released. */
    public boolean isHeld() {
        return held;
    }

    /** Frees the record's space for producers and lets the consumer move on. */
    public void release() {
        checkHeld();
        held = false;
        payload = null;
        consumer.released();
    }

    /** {@link #release()}, unless it was released already. */
    @Override
    public void close() {
        if (held) release();
    }

    private void checkHeld() {
        if (!held) throw new IllegalStateException("the record was released; a record's bytes are valid only until then");
    }
}
