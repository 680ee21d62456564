package dev.mapsync.internal.sys;

import java.lang.foreign.MemorySegment;

/**
 * A per-thread heap buffer that values are copied into (for a consistent read) or encoded into (so that a value
 * that does not fit is refused before any shared byte changes).
 */
public final class Scratch {
    private Scratch() {}

    private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[256]);

    /** A segment of at least {@code size} bytes, valid until this thread asks again. */
    public static MemorySegment of(int size) {
        byte[] b = BUFFER.get();
        if (b.length < size) {
            b = new byte[Math.max(size, b.length * 2)];
            BUFFER.set(b);
        }
        return MemorySegment.ofArray(b);
    }
}
