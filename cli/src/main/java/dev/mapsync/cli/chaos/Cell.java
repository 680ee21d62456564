package dev.mapsync.cli.chaos;

import dev.mapsync.Codec;
import dev.mapsync.HashSpec;
import dev.mapsync.Size;

import java.util.Arrays;

/**
 * A value of the hash writers' map: version {@code version} of key {@code key}, every other field a function of the
 * two. Each hash writer slot owns {@value #KEYS} keys ({@link #key}), so what a key holds is exactly what its slot
 * acknowledged last, give or take the one operation a kill cut short.
 */
record Cell(long key, long version, @Size(2) long[] words, long check) {
    static final int KEYS = 256;

    /** Hash writer operations, as their intent words note them. */
    static final int PUT = 1, REMOVE = 2, COMPUTE = 3;

    static Cell of(long key, long version) {
        long[] words = {Mix.of(key, version, 0), Mix.of(key, version, 1)};
        return new Cell(key, version, words, Mix.of(key, version, -1));
    }

    boolean wholeFor(long expectedKey) {
        return key == expectedKey && Arrays.equals(words, of(key, version).words) && check == of(key, version).check;
    }

    /** Key {@code i} of hash writer {@code worker} (0-based within its kind). */
    static long key(int worker, int i) {
        return (long) (worker + 1) << 32 | i;
    }

    /**
     * The map holds exactly as many entries as there are keys, so that inserts often run where the map checks its
     * capacity (its entry count, which a killed writer may leave off by one, is then summed): a
     * {@code MapFullException} can only be wrong, and ends the writer as a failure.
     */
    static HashSpec<Long, Cell> spec(Setup setup) {
        return HashSpec.of(setup.name("hash"), Codec.i64(), Codec.record(Cell.class), KEYS * setup.processes())
                .backend(setup.backend()).dir(setup.dir());
    }

    /** The control word that holds what key {@code i} of hash writer slot {@code slot} was acknowledged as. */
    static int ackWord(int slot, int i) {
        return Control.HASH_ACKS + slot * KEYS + i;
    }

    /** An intent word: operation {@code op} of key {@code i}, making it version {@code version}. */
    static long intent(int i, int op, long version) {
        return (long) (i + 1) << 44 | (long) op << 40 | version;
    }

    static int intentKey(long intent) {
        return (int) (intent >>> 44) - 1;
    }

    static int intentOp(long intent) {
        return (int) (intent >>> 40) & 0xF;
    }

    static long intentVersion(long intent) {
        return intent & ((1L << 40) - 1);
    }

    /** What an acknowledgement word says after operation {@code op} made version {@code version}. */
    static long acknowledged(int op, long version) {
        return op == REMOVE ? -version : version;
    }

    /** True if {@code value} (null: absent) is what acknowledgement word {@code ack} says the key holds. */
    static boolean matches(Cell value, long ack) {
        return value == null ? ack <= 0 : ack > 0 && value.version == ack;
    }

    static String describe(long ack) {
        return ack > 0 ? "version " + ack : ack == 0 ? "never written" : "removed at version " + -ack;
    }
}
