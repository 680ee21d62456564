package dev.mapsync.replicate.internal.wire;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A leader's shape that differs from its replica's names the field that differs, and both values of it. */
class ShapeTest {
    private final Shape array = new Shape(false, 8, 64, 8, "", "i64");
    private final Shape hash = new Shape(true, 8, 64, 8, "i64", "i64");

    @Test
    void eachDifferenceIsNamed() {
        assertNull(array.differenceFrom(new Shape(false, 8, 64, 8, "", "i64")));
        assertEquals("is now a hash map, and the replica an array", hash.differenceFrom(array));
        assertEquals("now has 16 entries, and the replica 8",
                new Shape(false, 16, 64, 8, "", "i64").differenceFrom(array));
        assertEquals("now has a capacity of 16, and the replica 8",
                new Shape(true, 16, 64, 8, "i64", "i64").differenceFrom(hash));
        assertEquals("now has keys i32, and the replica keys i64",
                new Shape(true, 8, 64, 8, "i32", "i64").differenceFrom(hash));
        assertEquals("now has values f64, and the replica values i64",
                new Shape(false, 8, 64, 8, "", "f64").differenceFrom(array));
        assertEquals("now has a change log of 128, and the replica of 64",
                new Shape(false, 8, 128, 8, "", "i64").differenceFrom(array));
        assertEquals("now has 4 segments, and the replica 8",
                new Shape(true, 8, 64, 4, "i64", "i64").differenceFrom(hash));
    }
}
