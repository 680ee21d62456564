package dev.mapsync;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchemaTest {
    @Test
    void structFieldsFollowCAlignment() {
        Schema s = Schema.parse("id:i64,balance:i64,owner:char[16]");
        assertEquals(32, s.size());
        assertEquals(8, s.alignment());
        assertEquals(List.of(0, 8, 16), s.fields().stream().map(Schema.Field::offset).toList());
    }

    @Test
    void paddingIsInsertedAndTheSizeRoundedUp() {
        Schema s = Schema.parse("a:i8,b:i32,c:i16,d:i64,e:bool");
        assertEquals(List.of(0, 4, 8, 16, 24), s.fields().stream().map(Schema.Field::offset).toList());
        assertEquals(32, s.size());
    }

    @Test
    void nestedStructsAndArrays() {
        Schema s = Schema.parse("tag:char[3],pos:{x:f64,y:f64},hits:u16[3],flag:bool");
        assertEquals(8, s.field("pos").orElseThrow().offset());
        assertEquals(16, s.field("pos.y").orElseThrow().offset());
        assertEquals(24, s.field("hits").orElseThrow().offset());
        assertEquals(30, s.field("flag").orElseThrow().offset());
        assertEquals(32, s.size());
        assertTrue(s.field("pos.z").isEmpty());
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "i64;i64", "char[16];char[16]", "u8[4];u8[4]", "a : i32 , b:{c:f32};a:i32,b:{c:f32}",
            "x:bool;x:bool"})
    void textRoundTrips(String text, String canonical) {
        assertEquals(canonical, Schema.parse(text).toString());
        assertEquals(Schema.parse(text), Schema.parse(canonical));
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "i65;schema 'i65': expected a type (i8, i16, i32, i64, u8, u16, u32, u64, f32, f64, bool, char[N] or {...}) at position 1, found 'i'",
            "a:i64,;schema 'a:i64,': expected a field name at position 7, found the end",
            "a:char;schema 'a:char': expected char[N] at position 3, found 'c'",
            "a:i32[0];schema 'a:i32[0]': expected a length of at least 1 at position 7, found '0'",
            "a:i32,a:i64;schema 'a:i32,a:i64': field 'a' appears twice",
            "a:{b:i8;schema 'a:{b:i8': expected '}' at position 8, found the end",
            "i64 x;schema 'i64 x': expected ',' or the end at position 5, found 'x'"})
    void badTextIsRefusedWithThePosition(String text, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Schema.parse(text));
        assertEquals(message, e.getMessage());
    }

    @Test
    void arraysOfStructsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Schema.array(Schema.parse("a:i32"), 2));
        assertEquals("arrays hold scalars, not {a:i32}", e.getMessage());
    }

    @Test
    void structsNestedDeeperThanAnyStructNeedsAreRefusedNotAStackOverflow() {
        String deep = "a:{".repeat(20_000) + "x:i64" + "}".repeat(20_000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Schema.parse(deep));
        assertEquals("schema '" + deep.substring(0, 100) + "..." + deep.substring(deep.length() - 20) + "': expected at most "
                + Schema.MAX_DEPTH + " levels of nested structs at position 195, found '{'", e.getMessage());
        String fine = "a:{".repeat(Schema.MAX_DEPTH) + "x:i64" + "}".repeat(Schema.MAX_DEPTH);
        assertEquals(8, Schema.parse(fine).size());
    }
}
