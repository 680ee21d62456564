package dev.mapsync.internal.hash;

import java.lang.foreign.MemorySegment;

/**
 * A thread's scratch for encoding a key and values before a hash map operation, so that a key or value that does
 * not fit is refused before any lock is taken. One set per thread is reused; a thread that re-enters (a
 * {@code compute} function using another map) gets a fresh set, so the outer call's bytes are never overwritten.
 */
public final class Buffers {
    private static final ThreadLocal<Buffers> LOCAL = ThreadLocal.withInitial(Buffers::new);

    private byte[] keyBytes = new byte[16];
    private byte[] valueBytes = new byte[64];
    private byte[] otherBytes = new byte[64];
    private boolean busy;
    /** The key, key-size bytes. */
    public MemorySegment key;
    /** A value, value-size bytes. */
    public MemorySegment value;
    /** A second value (an expected one, or a new one written under the lock), value-size bytes. */
    public MemorySegment other;
    /** What an update found, decoded, to hand back to the caller. */
    public Object found;

    private Buffers() {}

    /** This thread's buffers sized for the map, or new ones if this thread is already using them. Release after use. */
    public static Buffers take(int keySize, int valueSize) {
        Buffers b = LOCAL.get();
        if (b.busy) b = new Buffers();
        b.busy = true;
        b.found = null;
        if (b.key != null && b.key.byteSize() == keySize && b.value.byteSize() == valueSize) return b;
        if (b.keyBytes.length < keySize) b.keyBytes = new byte[keySize];
        if (b.valueBytes.length < valueSize) {
            b.valueBytes = new byte[valueSize];
            b.otherBytes = new byte[valueSize];
        }
        b.key = MemorySegment.ofArray(b.keyBytes).asSlice(0, keySize);
        b.value = MemorySegment.ofArray(b.valueBytes).asSlice(0, valueSize);
        b.other = MemorySegment.ofArray(b.otherBytes).asSlice(0, valueSize);
        return b;
    }

    /** Hands the buffers back. */
    public void release() {
        found = null;
        busy = false;
    }
}
