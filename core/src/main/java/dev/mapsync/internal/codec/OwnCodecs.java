package dev.mapsync.internal.codec;

import dev.mapsync.Codec;

/**
 * Tells this library's codecs, which write every byte of a value (padding as zeros), from codecs of an
 * application's own, which may write only the fields. Keys and values are compared by their bytes, and they are
 * encoded into a thread's buffers that held other maps' bytes before, so bytes a codec leaves alone would make equal
 * values differ and carry one map's bytes into another: for a codec of one's own those buffers are zeroed first.
 */
public final class OwnCodecs {
    private OwnCodecs() {}

    private static final String PACKAGE = OwnCodecs.class.getPackageName();

    /** True if {@code codec} is one of this library's, which write every byte of a value. */
    public static boolean writesEveryByte(Codec<?> codec) {
        Class<?> c = codec.getClass();
        return c.getPackageName().equals(PACKAGE) && c.getClassLoader() == OwnCodecs.class.getClassLoader();
    }
}
