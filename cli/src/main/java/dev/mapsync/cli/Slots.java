package dev.mapsync.cli;

import dev.mapsync.IntSlots;
import dev.mapsync.LongSlots;
import dev.mapsync.Schema;
import dev.mapsync.SharedArray;

import java.math.BigInteger;

/**
 * The integer slot that add and cas work on: a whole i32/i64 value, or one field of a record, of an array's entries
 * ({@link #of}) or of a hash map's values ({@link #kindOf}, with {@link HashSlot}).
 */
final class Slots {
    private final LongSlots longs;
    private final IntSlots ints;
    private final Schema.Kind kind;
    private final boolean wide;

    Slots(LongSlots longs, IntSlots ints, Schema.Kind kind) {
        this.longs = longs;
        this.ints = ints;
        this.kind = kind;
        this.wide = kind == Schema.Kind.I64 || kind == Schema.Kind.U64;
    }

    static Slots of(SharedArray<Object> array, String field) {
        Schema.Kind kind = kindOf(array.codec().schema(), field, array.name());
        if (kind == Schema.Kind.I64 || kind == Schema.Kind.U64) return new Slots(field == null ? array.longs() : array.longs(field), null, kind);
        return new Slots(null, field == null ? array.ints() : array.ints(field), kind);
    }

    /**
     * The integer type of {@code field} of values of {@code schema} (the whole value when null).
     *
     * @throws IllegalArgumentException naming the map when there is no such field or it is not i32, u32, i64 or u64
     */
    static Schema.Kind kindOf(Schema schema, String field, String map) {
        Schema slot = field == null ? schema : schema.field(field).orElseThrow(() -> new IllegalArgumentException(
                "map '" + map + "' has no field '" + field + "' (its values are " + schema + ")")).type();
        if (field == null && schema.kind() == Schema.Kind.STRUCT) {
            throw new IllegalArgumentException("map '" + map + "' holds records; name the field with --field");
        }
        Schema.Kind kind = slot.kind();
        if (kind != Schema.Kind.I64 && kind != Schema.Kind.U64 && kind != Schema.Kind.I32 && kind != Schema.Kind.U32) {
            throw new IllegalArgumentException((field == null ? "values" : "field '" + field + "'") + " of map '"
                    + map + "' are " + slot + "; atomic operations need i32, u32, i64 or u64");
        }
        return kind;
    }

    /** True for 64-bit slots, false for 32-bit ones. */
    boolean wide() {
        return wide;
    }

    /** The bits of {@code text} as a value of this slot's type, range-checked. */
    long parse(String text) {
        BigInteger v;
        try {
            v = new BigInteger(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not an integer");
        }
        int bits = wide ? 64 : 32;
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
        int bits = wide ? 64 : 32;
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
        return wide ? a == b : (int) a == (int) b;
    }

    /** {@code previous + delta} at this slot's width: what an add that found {@code previous} left. */
    long plus(long previous, long delta) {
        return wide ? previous + delta : (int) previous + (int) delta;
    }
}
