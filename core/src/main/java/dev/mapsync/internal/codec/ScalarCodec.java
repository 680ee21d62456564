package dev.mapsync.internal.codec;

import dev.mapsync.internal.sys.Layouts;
import dev.mapsync.Codec;
import dev.mapsync.InvalidValueException;
import dev.mapsync.Schema;

import java.lang.foreign.MemorySegment;

/** The codecs of single scalars. */
public abstract class ScalarCodec<T> implements Codec<T> {
    private final Schema schema;

    private ScalarCodec(Schema.Kind kind) {
        this.schema = Schema.scalar(kind);
    }

    @Override
    public final Schema schema() {
        return schema;
    }

    @Override
    public String toString() {
        return schema.toString();
    }

    public static final Codec<Byte> I8 = new ScalarCodec<>(Schema.Kind.I8) {
        public Byte read(MemorySegment s, long o) { return s.get(Layouts.BYTE, o); }
        public void write(MemorySegment s, long o, Byte v) { s.set(Layouts.BYTE, o, v); }
    };
    public static final Codec<Short> I16 = new ScalarCodec<>(Schema.Kind.I16) {
        public Short read(MemorySegment s, long o) { return s.get(Layouts.SHORT, o); }
        public void write(MemorySegment s, long o, Short v) { s.set(Layouts.SHORT, o, v); }
    };
    public static final Codec<Integer> I32 = new ScalarCodec<>(Schema.Kind.I32) {
        public Integer read(MemorySegment s, long o) { return s.get(Layouts.INT, o); }
        public void write(MemorySegment s, long o, Integer v) { s.set(Layouts.INT, o, v); }
    };
    public static final Codec<Long> I64 = new ScalarCodec<>(Schema.Kind.I64) {
        public Long read(MemorySegment s, long o) { return s.get(Layouts.LONG, o); }
        public void write(MemorySegment s, long o, Long v) { s.set(Layouts.LONG, o, v); }
    };
    public static final Codec<Integer> U8 = new ScalarCodec<>(Schema.Kind.U8) {
        public Integer read(MemorySegment s, long o) { return Byte.toUnsignedInt(s.get(Layouts.BYTE, o)); }
        public void write(MemorySegment s, long o, Integer v) { s.set(Layouts.BYTE, o, (byte) checkRange(v, 0xFFL, "u8")); }
    };
    public static final Codec<Integer> U16 = new ScalarCodec<>(Schema.Kind.U16) {
        public Integer read(MemorySegment s, long o) { return Short.toUnsignedInt(s.get(Layouts.SHORT, o)); }
        public void write(MemorySegment s, long o, Integer v) { s.set(Layouts.SHORT, o, (short) checkRange(v, 0xFFFFL, "u16")); }
    };
    public static final Codec<Long> U32 = new ScalarCodec<>(Schema.Kind.U32) {
        public Long read(MemorySegment s, long o) { return Integer.toUnsignedLong(s.get(Layouts.INT, o)); }
        public void write(MemorySegment s, long o, Long v) { s.set(Layouts.INT, o, (int) checkRange(v, 0xFFFF_FFFFL, "u32")); }
    };
    public static final Codec<Long> U64 = new ScalarCodec<>(Schema.Kind.U64) {
        public Long read(MemorySegment s, long o) { return s.get(Layouts.LONG, o); }
        public void write(MemorySegment s, long o, Long v) { s.set(Layouts.LONG, o, v); }
    };
    public static final Codec<Float> F32 = new ScalarCodec<>(Schema.Kind.F32) {
        public Float read(MemorySegment s, long o) { return s.get(Layouts.FLOAT, o); }
        public void write(MemorySegment s, long o, Float v) { s.set(Layouts.FLOAT, o, v); }
    };
    public static final Codec<Double> F64 = new ScalarCodec<>(Schema.Kind.F64) {
        public Double read(MemorySegment s, long o) { return s.get(Layouts.DOUBLE, o); }
        public void write(MemorySegment s, long o, Double v) { s.set(Layouts.DOUBLE, o, v); }
    };
    public static final Codec<Boolean> BOOL = new ScalarCodec<>(Schema.Kind.BOOL) {
        public Boolean read(MemorySegment s, long o) { return s.get(Layouts.BYTE, o) != 0; }
        public void write(MemorySegment s, long o, Boolean v) { s.set(Layouts.BYTE, o, (byte) (v ? 1 : 0)); }
    };

    static long checkRange(long v, long max, String type) {
        if (v < 0 || v > max) {
            throw new InvalidValueException(v + " is out of range for " + type + " (0.." + max + ")");
        }
        return v;
    }
}
