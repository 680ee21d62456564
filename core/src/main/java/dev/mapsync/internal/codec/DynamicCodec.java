package dev.mapsync.internal.codec;

import dev.mapsync.internal.sys.Layouts;
import dev.mapsync.Codec;
import dev.mapsync.InvalidValueException;
import dev.mapsync.Schema;

import java.lang.foreign.MemorySegment;
import java.lang.reflect.Array;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A codec driven by a schema alone, for maps whose Java type is not known (the command line, or a map made
 * by another program). Values: boxed scalars, Strings for {@code char[N]}, primitive arrays, and ordered maps
 * of field name to value for structs.
 */
public final class DynamicCodec implements Codec<Object> {
    private final Schema schema;

    private DynamicCodec(Schema schema) {
        this.schema = schema;
    }

    public static Codec<Object> of(Schema schema) {
        return new DynamicCodec(schema);
    }

    /** {@code u8[n]} as {@code byte[]}. */
    public static Codec<byte[]> bytes(int n) {
        Schema schema = Schema.array(Schema.scalar(Schema.Kind.U8), n);
        return new Codec<>() {
            public Schema schema() {
                return schema;
            }

            public byte[] read(MemorySegment s, long o) {
                return (byte[]) readValue(schema, s, o);
            }

            public void write(MemorySegment s, long o, byte[] v) {
                writeChecked(schema, s, o, v);
            }
        };
    }

    @Override
    public Schema schema() {
        return schema;
    }

    @Override
    public Object read(MemorySegment segment, long offset) {
        return readValue(schema, segment, offset);
    }

    @Override
    public void write(MemorySegment segment, long offset, Object value) {
        writeChecked(schema, segment, offset, value);
    }

    @Override
    public String toString() {
        return schema.toString();
    }

    /** Encodes into a scratch buffer first, so that a value that does not fit changes nothing. */
    static void writeChecked(Schema schema, MemorySegment segment, long offset, Object value) {
        MemorySegment scratch = MemorySegment.ofArray(new byte[schema.size()]);
        writeValue(schema, scratch, 0, value, "");
        MemorySegment.copy(scratch, 0, segment, offset, schema.size());
    }

    static Object readValue(Schema schema, MemorySegment s, long o) {
        return readValue(schema, s, o, "");
    }

    /** Reads the value at {@code o}; {@code path} names the field being read, for the message of bytes that are not one. */
    private static Object readValue(Schema schema, MemorySegment s, long o, String path) {
        return switch (schema.kind()) {
            case I8 -> s.get(Layouts.BYTE, o);
            case I16 -> s.get(Layouts.SHORT, o);
            case I32 -> s.get(Layouts.INT, o);
            case I64, U64 -> s.get(Layouts.LONG, o);
            case U8 -> Byte.toUnsignedInt(s.get(Layouts.BYTE, o));
            case U16 -> Short.toUnsignedInt(s.get(Layouts.SHORT, o));
            case U32 -> Integer.toUnsignedLong(s.get(Layouts.INT, o));
            case F32 -> s.get(Layouts.FLOAT, o);
            case F64 -> s.get(Layouts.DOUBLE, o);
            case BOOL -> s.get(Layouts.BYTE, o) != 0;
            case CHARS -> {
                try {
                    yield new FixedStringCodec(schema.length()).read(s, o);
                } catch (InvalidValueException e) {
                    throw new InvalidValueException(where(path) + e.getMessage(), e);
                }
            }
            case ARRAY -> readArray(schema, s, o);
            case STRUCT -> {
                Map<String, Object> fields = new LinkedHashMap<>();
                for (Schema.Field f : schema.fields()) {
                    fields.put(f.name(), readValue(f.type(), s, o + f.offset(), path + f.name() + "."));
                }
                yield fields;
            }
        };
    }

    private static Object readArray(Schema schema, MemorySegment s, long o) {
        Schema element = schema.element().orElseThrow();
        int n = schema.length();
        return switch (element.kind()) {
            case I8, U8 -> s.asSlice(o, n).toArray(Layouts.BYTE);
            case I16, U16 -> s.asSlice(o, 2L * n).toArray(Layouts.SHORT);
            case I32, U32 -> s.asSlice(o, 4L * n).toArray(Layouts.INT);
            case I64, U64 -> s.asSlice(o, 8L * n).toArray(Layouts.LONG);
            case F32 -> s.asSlice(o, 4L * n).toArray(Layouts.FLOAT);
            case F64 -> s.asSlice(o, 8L * n).toArray(Layouts.DOUBLE);
            case BOOL -> {
                boolean[] b = new boolean[n];
                for (int i = 0; i < n; i++) b[i] = s.get(Layouts.BYTE, o + i) != 0;
                yield b;
            }
            default -> throw new IllegalStateException("array of " + element);
        };
    }

    private static void writeValue(Schema schema, MemorySegment s, long o, Object value, String path) {
        if (value == null) throw new InvalidValueException(where(path) + "a value is missing");
        switch (schema.kind()) {
            case CHARS -> {
                if (!(value instanceof String str)) throw wrongType(path, schema, value);
                try {
                    new FixedStringCodec(schema.length()).write(s, o, str);
                } catch (InvalidValueException e) {
                    throw new InvalidValueException(where(path) + e.getMessage());
                }
            }
            case ARRAY -> writeArray(schema, s, o, value, path);
            case STRUCT -> {
                if (!(value instanceof Map<?, ?> map)) throw wrongType(path, schema, value);
                for (Object key : map.keySet()) {
                    if (!(key instanceof String name) || schema.fields().stream().noneMatch(f -> f.name().equals(name))) {
                        throw new InvalidValueException(where(path) + "no field named '" + key + "' in " + schema);
                    }
                }
                for (Schema.Field f : schema.fields()) {
                    Object v = map.get(f.name());
                    if (v == null) throw new InvalidValueException("field '" + path + f.name() + "' is missing");
                    writeValue(f.type(), s, o + f.offset(), v, path + f.name() + ".");
                }
            }
            default -> writeScalar(schema.kind(), s, o, value, path);
        }
    }

    private static void writeArray(Schema schema, MemorySegment s, long o, Object value, String path) {
        Schema element = schema.element().orElseThrow();
        int n;
        if (value instanceof List<?> list) {
            n = list.size();
            checkLength(schema, n, path);
            for (int i = 0; i < n; i++) {
                writeScalar(element.kind(), s, o + (long) i * element.size(), list.get(i), element(path, i));
            }
        } else if (value.getClass().isArray() && value.getClass().getComponentType().isPrimitive()) {
            n = Array.getLength(value);
            checkLength(schema, n, path);
            for (int i = 0; i < n; i++) {
                Object v = Array.get(value, i);
                if (v instanceof Byte b && element.kind() == Schema.Kind.U8) v = Byte.toUnsignedInt(b);
                if (v instanceof Short sh && element.kind() == Schema.Kind.U16) v = Short.toUnsignedInt(sh);
                if (v instanceof Integer in && element.kind() == Schema.Kind.U32) v = Integer.toUnsignedLong(in);
                writeScalar(element.kind(), s, o + (long) i * element.size(), v, element(path, i));
            }
        } else {
            throw wrongType(path, schema, value);
        }
    }

    private static void checkLength(Schema schema, int n, String path) {
        if (n != schema.length()) {
            throw new InvalidValueException(where(path) + schema + " needs " + schema.length() + " elements, got " + n);
        }
    }

    static void writeScalar(Schema.Kind kind, MemorySegment s, long o, Object value, String path) {
        switch (kind) {
            case BOOL -> {
                if (!(value instanceof Boolean b)) throw wrongType(path, Schema.scalar(kind), value);
                s.set(Layouts.BYTE, o, (byte) (b ? 1 : 0));
            }
            case F32 -> s.set(Layouts.FLOAT, o, (float) floating(kind, value, path));
            case F64 -> s.set(Layouts.DOUBLE, o, floating(kind, value, path));
            default -> {
                long v = integer(kind, value, path);
                switch (Schema.scalar(kind).size()) {
                    case 1 -> s.set(Layouts.BYTE, o, (byte) v);
                    case 2 -> s.set(Layouts.SHORT, o, (short) v);
                    case 4 -> s.set(Layouts.INT, o, (int) v);
                    default -> s.set(Layouts.LONG, o, v);
                }
            }
        }
    }

    private static Number number(Schema.Kind kind, Object value, String path) {
        if (value instanceof Number n) return n;
        throw wrongType(path, Schema.scalar(kind), value);
    }

    /**
     * A floating-point value, checked to fit {@code kind}: a finite number too large for it would be stored as an
     * infinity, which is not the value given. Infinities and NaN given as such are stored as they are.
     */
    private static double floating(Schema.Kind kind, Object value, String path) {
        Number n = number(kind, value, path);
        double d = n.doubleValue();
        // integers are finite whatever they are; a BigInteger beyond a double's range is Infinity as a double
        boolean finite = !(n instanceof Double || n instanceof Float) || Double.isFinite(d);
        boolean overflows = Double.isInfinite(d) || (kind == Schema.Kind.F32 && Float.isInfinite((float) d));
        String max = kind == Schema.Kind.F32 ? Float.toString(Float.MAX_VALUE) : Double.toString(Double.MAX_VALUE);
        if (finite && overflows) {
            throw new InvalidValueException(where(path) + n + " is out of range for " + kind + " (-" + max + ".." + max + ")");
        }
        return d;
    }

    private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    /** The bits of an integer value, checked against the range of {@code kind}. */
    private static long integer(Schema.Kind kind, Object value, String path) {
        BigInteger v;
        if (value instanceof Byte || value instanceof Short || value instanceof Integer || value instanceof Long) {
            v = BigInteger.valueOf(((Number) value).longValue());
        } else if (value instanceof BigInteger big) {
            v = big;
        } else {
            throw wrongType(path, Schema.scalar(kind), value);
        }
        int bits = Schema.scalar(kind).size() * 8;
        BigInteger min = kind.isUnsigned() ? BigInteger.ZERO : BigInteger.ONE.shiftLeft(bits - 1).negate();
        BigInteger max = kind.isUnsigned() ? (bits == 64 ? U64_MAX : BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE))
                : BigInteger.ONE.shiftLeft(bits - 1).subtract(BigInteger.ONE);
        if (kind == Schema.Kind.U64 && value instanceof Long) return v.longValue(); // a Long carries u64 bits
        if (v.compareTo(min) < 0 || v.compareTo(max) > 0) {
            throw new InvalidValueException(where(path) + v + " is out of range for " + kind + " (" + min + ".." + max + ")");
        }
        return v.longValue();
    }

    private static InvalidValueException wrongType(String path, Schema schema, Object value) {
        return new InvalidValueException(where(path) + "a " + schema + " value cannot be a "
                + value.getClass().getSimpleName() + " (" + value + ")");
    }

    private static String where(String path) {
        if (path.isEmpty()) return "";
        String p = path.substring(0, path.length() - 1);
        return p.startsWith("[") ? "element " + p + ": " : "field '" + p + "': ";
    }

    /** The path of element {@code i} of the array at {@code path}: {@code tags[2]}, or {@code [2]} of a whole value. */
    private static String element(String path, int i) {
        return (path.isEmpty() ? "" : path.substring(0, path.length() - 1)) + "[" + i + "].";
    }
}
