package dev.mapsync.internal.codec;

import dev.mapsync.internal.sys.Layouts;
import dev.mapsync.Chars;
import dev.mapsync.InvalidValueException;
import dev.mapsync.Unsigned;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The compiled form of records of primitives: the same bytes and values as the C layout says, and the same errors. */
class RecordCodecCompiledTest {
    record Primitives(byte b, short s, int i, long l, float f, double d, boolean z, @Unsigned int u) {}

    private record Secret(boolean flag, long id) {}

    record NonNegative(int qty) {
        NonNegative {
            if (qty < 0) throw new IllegalArgumentException("qty must not be negative, got " + qty);
        }
    }

    record Named(long id, @Chars(8) String name) {}

    record Refusing(long first, long second) {
        @Override
        public long second() {
            throw new IllegalStateException("second is not for sale");
        }
    }

    private final MemorySegment mem = Arena.ofAuto().allocate(128, 8);

    @Test
    void recordsOfPrimitivesAreCompiledAndOthersAreNot() {
        assertNotNull(RecordCodec.of(Primitives.class).compiled());
        assertNotNull(RecordCodec.of(Secret.class).compiled(), "a private record is compiled as its nestmate");
        assertNull(RecordCodec.of(Named.class).compiled());
    }

    @Test
    void compiledWritesLayTheFieldsOutAsC() {
        // struct { i8 b; i16 s @2; i32 i @4; i64 l @8; f32 f @16; f64 d @24; bool z @32; u32 u @36 } = 40 bytes
        mem.fill((byte) 0x5A);
        RecordCodec.of(Primitives.class).write(mem, 8,
                new Primitives((byte) -2, (short) 0x0102, 0x03040506, 0x0708090A0B0C0D0EL, 1.5f, -2.25, true, -1));
        assertArrayEquals(new byte[]{(byte) 0xFE, 0, 0x02, 0x01, 0x06, 0x05, 0x04, 0x03}, bytes(8, 8), "padding zero");
        assertEquals(0x0708090A0B0C0D0EL, mem.get(Layouts.LONG, 16));
        assertEquals(1.5f, mem.get(Layouts.FLOAT, 24));
        assertArrayEquals(new byte[4], bytes(28, 4), "padding zero");
        assertEquals(-2.25, mem.get(Layouts.DOUBLE, 32));
        assertArrayEquals(new byte[]{1, 0, 0, 0}, bytes(40, 4), "a true boolean, then padding zero");
        assertEquals(0xFFFFFFFF, mem.get(Layouts.INT, 44));
        assertEquals((byte) 0x5A, mem.get(Layouts.BYTE, 48), "nothing is written past the value");
    }

    @Test
    void compiledReadsGiveBackWhatWasWrittenAtTheLimits() {
        RecordCodec<Primitives> codec = RecordCodec.of(Primitives.class);
        Primitives max = new Primitives(Byte.MAX_VALUE, Short.MIN_VALUE, Integer.MAX_VALUE, Long.MIN_VALUE,
                Float.MIN_VALUE, Double.NaN, false, Integer.MIN_VALUE);
        codec.write(mem, 0, max);
        assertEquals(max, codec.read(mem, 0));
        Secret secret = new Secret(true, -7);
        RecordCodec.of(Secret.class).write(mem, 64, secret);
        assertEquals(secret, RecordCodec.of(Secret.class).read(mem, 64));
    }

    @Test
    void anyNonZeroByteReadsAsTrue() {
        mem.fill((byte) 0);
        mem.set(Layouts.BYTE, 0, (byte) 2);
        assertEquals(new Secret(true, 0), RecordCodec.of(Secret.class).read(mem, 0));
    }

    @Test
    void theRecordsOwnChecksStillRunOnRead() {
        mem.set(Layouts.INT, 0, -3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RecordCodec.of(NonNegative.class).read(mem, 0));
        assertEquals("qty must not be negative, got -3", e.getMessage());
    }

    @Test
    void aReadUnderASequenceMakesTheRecordOnlyIfTheSequenceHeld() {
        FlatRecordAccess access = RecordCodec.of(NonNegative.class).compiled();
        mem.set(Layouts.INT, 0, -5);  // a value the record's constructor refuses
        mem.set(Layouts.INT, 64, 42); // the sequence word
        assertNull(access.readIfUnchanged(mem, 0, mem, 64, 40), "the sequence moved: no record, no constructor run");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> access.readIfUnchanged(mem, 0, mem, 64, 42));
        assertEquals("qty must not be negative, got -5", e.getMessage());
        mem.set(Layouts.INT, 0, 7);
        assertEquals(new NonNegative(7), access.readIfUnchanged(mem, 0, mem, 64, 42));
    }

    @Test
    void aNullValueIsRefusedAndNothingIsWritten() {
        mem.fill((byte) 0x11);
        InvalidValueException e = assertThrows(InvalidValueException.class,
                () -> RecordCodec.of(Primitives.class).write(mem, 0, null));
        assertEquals("the value is null", e.getMessage());
        assertEquals(0x1111111111111111L, mem.get(Layouts.LONG, 0));
    }

    @Test
    void anAccessorThatThrowsStoresNothing() {
        mem.fill((byte) 0x22);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> RecordCodec.of(Refusing.class).write(mem, 0, new Refusing(1, 2)));
        assertEquals("second is not for sale", e.getMessage());
        assertEquals(0x2222222222222222L, mem.get(Layouts.LONG, 0), "the first field was not stored either");
    }

    private byte[] bytes(long offset, int n) {
        return mem.asSlice(offset, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }
}
