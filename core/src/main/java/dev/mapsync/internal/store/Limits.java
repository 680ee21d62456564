package dev.mapsync.internal.store;

import java.nio.charset.StandardCharsets;

/**
 * The largest sizes a map may have. The sizes of a new map are checked against them, in long arithmetic, before
 * anything is created; the sizes a header records are checked against them before anything is computed from
 * them. Either way no size wraps around: a value of 2^31 - 1 bytes would have a stride of 2^31, which the header's
 * 32-bit field (and an int) cannot hold.
 *
 * <p>Each method says what is wrong, or returns null, so that a new map's spec is refused with an
 * {@link IllegalArgumentException} and a header with a {@link dev.mapsync.CorruptMapException}, from one rule.
 */
public final class Limits {
    private Limits() {}

    /**
     * The largest key or value in bytes: one a Java byte array holds (codecs copy a value whole), whose stride
     * (rounded up to 8) still fits the header's 32-bit field.
     */
    public static final int MAX_VALUE_SIZE = Integer.MAX_VALUE - 8;

    /**
     * The largest map file (64 TiB): every handle maps the whole file, and a process has 128 TiB of address space on
     * x86-64 (a ring maps its records twice).
     */
    public static final long MAX_FILE_LENGTH = 1L << 46;

    /** What is wrong with a key or value ({@code what}) of {@code size} bytes, or null when nothing is. */
    public static String sizeProblem(String what, long size) {
        if (size < 1) return what + " size " + size + " is not positive";
        if (size > MAX_VALUE_SIZE) {
            return what + " size " + size + " is larger than " + MAX_VALUE_SIZE + " bytes, the most a key or value may have";
        }
        return null;
    }

    /**
     * What is wrong with a map of {@code length} bytes (its file, and for a bpf map the kernel map's values too), or
     * null when nothing is.
     */
    public static String lengthProblem(long length) {
        if (length < 0 || length > MAX_FILE_LENGTH) {
            return "it would take " + length + " bytes, more than the " + MAX_FILE_LENGTH + " (64 TiB) a map may have";
        }
        return null;
    }

    /** What is wrong with schema texts that the header must hold, or null when they fit. */
    public static String schemaTextProblem(String keySchema, String valueSchema) {
        long bytes = (long) keySchema.getBytes(StandardCharsets.UTF_8).length
                + valueSchema.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > Header.MAX_SCHEMA_TEXT) {
            return "the schema text is " + bytes + " bytes; a map header holds at most " + Header.MAX_SCHEMA_TEXT;
        }
        return null;
    }

    /** Throws an {@link IllegalArgumentException} saying what is wrong with a new map, when something is. */
    public static void require(String mapName, String problem) {
        if (problem != null) throw new IllegalArgumentException("map '" + mapName + "': " + problem);
    }
}
