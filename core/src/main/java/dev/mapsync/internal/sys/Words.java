package dev.mapsync.internal.sys;

import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The handles of the aligned words that processes share: little-endian (the on-memory format's order) and aligned,
 * so that every access mode works on them, the atomic ones included (an unaligned word would refuse them). Held as
 * static finals, which the JIT treats as constants: an access through them compiles to the plain instruction.
 */
public final class Words {
    private Words() {}

    /** A 4-byte word: {@code (MemorySegment, long offset)}. */
    public static final VarHandle INT = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
    /** An 8-byte word: {@code (MemorySegment, long offset)}. */
    public static final VarHandle LONG = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();

    /**
     * How many compare-and-sets on one shared word fail in a row before a loop takes the word for one that a peer keeps
     * writing (processes that follow the format change it far fewer times than that under any one loop), and stops
     * instead of spinning for as long as the peer goes on.
     */
    public static final int CAS_TRIES = 1 << 16;
}
