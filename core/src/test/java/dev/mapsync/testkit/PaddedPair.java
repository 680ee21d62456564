package dev.mapsync.testkit;

import dev.mapsync.Codec;
import dev.mapsync.Schema;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** {@code struct { int64_t a; int32_t b; }}: 4 bytes of padding at the end. */
public record PaddedPair(long a, int b) {
    /** A codec of one's own that writes the two fields and leaves the padding as it finds it. */
    public static final Codec<PaddedPair> FIELDS_ONLY = new Codec<>() {
        private final Schema schema = Schema.parse("a:i64,b:i32");

        @Override
        public Schema schema() {
            return schema;
        }

        @Override
        public PaddedPair read(MemorySegment s, long o) {
            return new PaddedPair(s.get(ValueLayout.JAVA_LONG_UNALIGNED, o), s.get(ValueLayout.JAVA_INT_UNALIGNED, o + 8));
        }

        @Override
        public void write(MemorySegment s, long o, PaddedPair v) {
            s.set(ValueLayout.JAVA_LONG_UNALIGNED, o, v.a());
            s.set(ValueLayout.JAVA_INT_UNALIGNED, o + 8, v.b());
        }
    };
}
