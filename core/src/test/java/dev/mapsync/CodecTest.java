package dev.mapsync;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CodecTest {
    record Point(int x, int y) {}

    record Mixed(byte b, short s, int i, long l, float f, double d, boolean z, @Chars(5) String c,
                 @Size(3) int[] arr, Point p, @Unsigned int u, @Size(2) byte[] raw) {}

    record Account(long id, long balance, @Chars(16) String owner) {}

    /** {@code struct { int8_t b; int64_t l; int32_t i; }}: 7 bytes of padding after b, 4 at the end. */
    record Padded(byte b, long l, int i) {}

    private final MemorySegment mem = Arena.ofAuto().allocate(256, 8);

    private <T> T roundTrip(Codec<T> codec, T value) {
        mem.fill((byte) 0x5A);
        codec.write(mem, 8, value);
        return codec.read(mem, 8);
    }

    @Test
    void scalarsRoundTripAtTheirLimits() {
        assertEquals(Byte.MIN_VALUE, roundTrip(Codec.i8(), Byte.MIN_VALUE));
        assertEquals(Short.MAX_VALUE, roundTrip(Codec.i16(), Short.MAX_VALUE));
        assertEquals(Integer.MIN_VALUE, roundTrip(Codec.i32(), Integer.MIN_VALUE));
        assertEquals(Long.MAX_VALUE, roundTrip(Codec.i64(), Long.MAX_VALUE));
        assertEquals(255, roundTrip(Codec.u8(), 255));
        assertEquals(65535, roundTrip(Codec.u16(), 65535));
        assertEquals(4294967295L, roundTrip(Codec.u32(), 4294967295L));
        assertEquals(-1L, roundTrip(Codec.u64(), -1L));
        assertEquals(-0.0f, roundTrip(Codec.f32(), -0.0f));
        assertEquals(Double.NaN, roundTrip(Codec.f64(), Double.NaN));
        assertEquals(true, roundTrip(Codec.bool(), true));
        assertEquals(false, roundTrip(Codec.bool(), false));
    }

    @Test
    void valuesAreLittleEndian() {
        Codec.u32().write(mem, 0, 0x01020304L);
        assertArrayEquals(new byte[]{4, 3, 2, 1}, mem.asSlice(0, 4).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
    }

    @Test
    void unsignedValuesOutOfRangeAreRefusedAndNothingIsWritten() {
        mem.fill((byte) 0x11);
        InvalidValueException e = assertThrows(InvalidValueException.class, () -> Codec.u8().write(mem, 0, 256));
        assertEquals("256 is out of range for u8 (0..255)", e.getMessage());
        assertThrows(InvalidValueException.class, () -> Codec.u32().write(mem, 0, -1L));
        assertEquals(0x1111111111111111L, mem.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0));
    }

    @Test
    void stringsFitExactlyOrAreRefused() {
        Codec<String> chars = Codec.chars(4);
        assertEquals("", roundTrip(chars, ""));
        assertEquals("abcd", roundTrip(chars, "abcd"));
        assertEquals("é€", roundTrip(Codec.chars(5), "é€")); // 2 + 3 bytes of UTF-8
        mem.fill((byte) 0x22);
        InvalidValueException e = assertThrows(InvalidValueException.class, () -> chars.write(mem, 0, "abcde"));
        assertEquals("string of 5 bytes does not fit in char[4] (\"abcde\")", e.getMessage());
        assertThrows(InvalidValueException.class, () -> Codec.chars(4).write(mem, 0, "é€"));
        assertThrows(InvalidValueException.class, () -> chars.write(mem, 0, "a\0b"));
        assertEquals(0x22222222, mem.get(java.lang.foreign.ValueLayout.JAVA_INT, 0));
    }

    @Test
    void shortStringsArePaddedWithNul() {
        mem.fill((byte) 0x7F);
        Codec.chars(6).write(mem, 0, "ab");
        assertArrayEquals(new byte[]{'a', 'b', 0, 0, 0, 0, 0x7F},
                mem.asSlice(0, 7).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
    }

    @Test
    void byteArraysHaveAFixedLength() {
        assertArrayEquals(new byte[]{1, 2, (byte) 255}, roundTrip(Codec.bytes(3), new byte[]{1, 2, (byte) 255}));
        InvalidValueException e = assertThrows(InvalidValueException.class, () -> Codec.bytes(3).write(mem, 0, new byte[2]));
        assertEquals("u8[3] needs 3 elements, got 2", e.getMessage());
    }

    @Test
    void aRecordOfPrimitivesWritesZeroPaddingOverWhateverWasThere() {
        Codec<Padded> codec = Codec.record(Padded.class);
        assertEquals(24, codec.schema().size());
        mem.fill((byte) 0x5A);
        codec.write(mem, 8, new Padded((byte) 1, 2, 3));
        byte[] expected = new byte[24];
        expected[0] = 1;
        expected[8] = 2;
        expected[16] = 3;
        assertArrayEquals(expected, mem.asSlice(8, 24).toArray(ValueLayout.JAVA_BYTE));
        assertEquals(0x5A, mem.get(ValueLayout.JAVA_BYTE, 7));
        assertEquals(0x5A, mem.get(ValueLayout.JAVA_BYTE, 32));
    }

    @Test
    void recordsRoundTripWithNestedRecordsAndArrays() {
        Codec<Mixed> codec = Codec.record(Mixed.class);
        assertEquals("b:i8,s:i16,i:i32,l:i64,f:f32,d:f64,z:bool,c:char[5],arr:i32[3],p:{x:i32,y:i32},u:u32,raw:u8[2]",
                codec.schema().toString());
        Mixed m = new Mixed((byte) -2, (short) 300, 70000, -5L, 1.5f, 2.25, true, "héé", new int[]{1, -2, 3},
                new Point(7, -8), -1, new byte[]{9, (byte) 200});
        Mixed back = roundTrip(codec, m);
        assertEquals(m.b(), back.b());
        assertEquals(m.s(), back.s());
        assertEquals(m.i(), back.i());
        assertEquals(m.l(), back.l());
        assertEquals(m.f(), back.f());
        assertEquals(m.d(), back.d());
        assertEquals(m.z(), back.z());
        assertEquals(m.c(), back.c());
        assertArrayEquals(m.arr(), back.arr());
        assertEquals(m.p(), back.p());
        assertEquals(-1, back.u());
        assertArrayEquals(m.raw(), back.raw());
    }

    @Test
    void aRecordWhoseStringDoesNotFitWritesNothing() {
        Codec<Account> codec = Codec.record(Account.class);
        mem.fill((byte) 0x33);
        InvalidValueException e = assertThrows(InvalidValueException.class,
                () -> codec.write(mem, 0, new Account(1, 2, "seventeen bytes!!")));
        assertEquals("field 'owner': string of 17 bytes does not fit in char[16] (\"seventeen bytes!!\")", e.getMessage());
        assertEquals(0x3333333333333333L, mem.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0));
    }

    record NoSize(String name) {}

    record BadType(Object o) {}

    @Test
    void recordsWithoutALayoutAreRefusedWhenTheCodecIsMade() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Codec.record(NoSize.class));
        assertEquals("NoSize.name: a String component needs @Chars(n)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Codec.record(BadType.class));
        assertEquals("BadType.o: type Object has no C layout (use byte, short, int, long, float, double, boolean,"
                + " String with @Chars, arrays with @Size, or a record)", e.getMessage());
    }

    @Test
    void theDynamicCodecReadsAndWritesStructsAsMaps() {
        Codec<Object> codec = Codec.of("id:i64,owner:char[8],pos:{x:u16,y:u16},w:f32[2]");
        Map<String, Object> pos = new LinkedHashMap<>(Map.of("x", 65535, "y", 0));
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("id", 42L);
        value.put("owner", "ada");
        value.put("pos", pos);
        value.put("w", List.of(1.5, -2));
        @SuppressWarnings("unchecked")
        Map<String, Object> back = (Map<String, Object>) roundTrip(codec, value);
        assertEquals(42L, back.get("id"));
        assertEquals("ada", back.get("owner"));
        assertEquals(Map.of("x", 65535, "y", 0), back.get("pos"));
        assertArrayEquals(new float[]{1.5f, -2f}, (float[]) back.get("w"));
    }

    @Test
    void theDynamicCodecNamesTheFieldThatIsWrong() {
        Codec<Object> codec = Codec.of("id:i64,pos:{x:u16,y:u16}");
        InvalidValueException e = assertThrows(InvalidValueException.class,
                () -> codec.write(mem, 0, Map.of("id", 1L, "pos", Map.of("x", 70000, "y", 0))));
        assertEquals("field 'pos.x': 70000 is out of range for u16 (0..65535)", e.getMessage());
        e = assertThrows(InvalidValueException.class, () -> codec.write(mem, 0, Map.of("id", 1L)));
        assertEquals("field 'pos' is missing", e.getMessage());
        e = assertThrows(InvalidValueException.class, () -> codec.write(mem, 0, Map.of("id", "x", "pos", Map.of())));
        assertEquals("field 'id': a i64 value cannot be a String (x)", e.getMessage());
        e = assertThrows(InvalidValueException.class,
                () -> codec.write(mem, 0, Map.of("id", 1L, "pos", Map.of("x", 1, "y", 2), "zz", 3)));
        assertEquals("no field named 'zz' in id:i64,pos:{x:u16,y:u16}", e.getMessage());
    }

    @Test
    void theDynamicCodecRefusesFiniteNumbersAFloatWouldStoreAsInfinity() {
        Codec<Object> codec = Codec.of("f:f32,d:f64,w:f32[2]");
        mem.fill((byte) 0);
        InvalidValueException e = assertThrows(InvalidValueException.class,
                () -> codec.write(mem, 0, Map.of("f", 1e99, "d", 0.0, "w", List.of(0, 0))));
        assertEquals("field 'f': 1.0E99 is out of range for f32 (-3.4028235E38..3.4028235E38)", e.getMessage());
        e = assertThrows(InvalidValueException.class,
                () -> codec.write(mem, 0, Map.of("f", 0f, "d", java.math.BigInteger.TEN.pow(400), "w", List.of(0, 0))));
        assertEquals("field 'd': " + java.math.BigInteger.TEN.pow(400) + " is out of range for f64 (-1.7976931348623157E308.."
                + "1.7976931348623157E308)", e.getMessage());
        e = assertThrows(InvalidValueException.class,
                () -> codec.write(mem, 0, Map.of("f", 0f, "d", 0.0, "w", List.of(0, -1e39))));
        assertEquals("field 'w[1]': -1.0E39 is out of range for f32 (-3.4028235E38..3.4028235E38)", e.getMessage());
        assertEquals(0, mem.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0), "nothing was written");
        // infinities and NaN given as such are values like any other
        @SuppressWarnings("unchecked")
        Map<String, Object> back = (Map<String, Object>) roundTrip(codec,
                Map.of("f", Double.NEGATIVE_INFINITY, "d", Double.NaN, "w", List.of(Float.MAX_VALUE, 1e-50)));
        assertEquals(Float.NEGATIVE_INFINITY, back.get("f"));
        assertEquals(Double.NaN, back.get("d"));
        assertArrayEquals(new float[]{Float.MAX_VALUE, 0f}, (float[]) back.get("w"));
    }
}
