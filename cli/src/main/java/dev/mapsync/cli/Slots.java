package dev.mapsync.cli;

import dev.mapsync.IntSlots;
import dev.mapsync.LongSlots;
import dev.mapsync.Schema;
import dev.mapsync.SharedArray;

import java.math.BigInteger;

/** The integer slot that add and cas work on: a whole i32/i64 value, or one field of a record. */
final class Slots {
    private final LongSlots longs;
    private final IntSlots ints;
    private final Schema.Kind kind;

    private Slots(LongSlots longs, IntSlots ints, Schema.Kind kind) {
        this.longs = longs;
        this.ints = ints;
        this.kind = kind;
    }

    static Slots of(SharedArray<Object> array, String field) {
        Schema schema = array.codec().schema();
        Schema slot = field == null ? schema : schema.field(field).orElseThrow(() -> new IllegalArgumentException(
                "map '" + array.name() + "' has no field '" + field + "' (its values are " + schema + ")")).type();
        if (field == null && schema.kind() == Schema.Kind.STRUCT) {
            throw new IllegalArgumentException("map '" + array.name() + "' holds records; name the field with --field");
        }
        boolean wide = slot.kind() == Schema.Kind.I64 || slot.kind() == Schema.Kind.U64;
        boolean narrow = slot.kind() == Schema.Kind.I32 || slot.kind() == Schema.Kind.U32;
        if (!wide && !narrow) {
            throw new IllegalArgumentException((field == null ? "values" : "field '" + field + "'") + " of map '"
                    + array.name() + "' are " + slot + "; atomic operations need i32, u32, i64 or u64");
        }
        if (wide) return new Slots(field == null ? array.longs() : array.longs(field), null, slot.kind());
        return new Slots(null, field == null ? array.ints() : array.ints(field), slot.kind());
    }

    /** The bits of {@code text} as a value of this slot's type, range-checked. */
    long parse(String text) {
        BigInteger v;
        try {
            v = new BigInteger(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not an integer");
        }
        int bits = longs != null ? 64 : 32;
        BigInteger min = kind == Schema.Kind.U64 || kind == Schema.Kind.U32 ? BigInteger.ZERO : BigInteger.ONE.shiftLeft(bits - 1).negate();
        BigInteger max = kind == Schema.Kind.U64 || kind == Schema.Kind.U32 ? BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
                : BigInteger.ONE.shiftLeft(bits - 1).subtract(BigInteger.ONE);
        if (v.compareTo(min) < 0 || v.compareTo(max) > 0) {
            throw new IllegalArgumentException(v + " is out of range for " + kind + " (" + min + ".." + max + ")");
        }
        return v.longValue();
    }

    /** A signed delta of this slot's width (negative deltas subtract, also from unsigned slots). */
    long parseDelta(String text) {
        BigInteger d;
        try {
            d = new BigInteger(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not an integer delta");
        }
        int bits = longs != null ? 64 : 32;
        if (d.bitLength() >= bits) {
            BigInteger max = BigInteger.ONE.shiftLeft(bits - 1);
            throw new IllegalArgumentException("delta " + d + " is out of range for a " + bits + "-bit slot ("
                    + max.negate() + ".." + max.subtract(BigInteger.ONE) + ")");
        }
        return d.longValue();
    }

    long addAndGet(int index, long delta) {
        return longs != null ? longs.addAndGet(index, delta) : ints.getAndAdd(index, (int) delta) + (int) delta;
    }

    long compareAndExchange(int index, long expected, long update) {
        return longs != null ? longs.compareAndExchange(index, expected, update)
                : ints.compareAndExchange(index, (int) expected, (int) update);
    }

    String format(long bits) {
        return switch (kind) {
            case U64 -> Long.toUnsignedString(bits);
            case U32 -> Long.toString(bits & 0xFFFF_FFFFL);
            case I32 -> Integer.toString((int) bits);
            default -> Long.toString(bits);
        };
    }

    boolean sameBits(long a, long b) {
        return longs != null ? a == b : (int) a == (int) b;
    }
}
