package dev.mapsync;

import dev.mapsync.internal.barrier.BarrierLayout;
import dev.mapsync.testkit.Peer;
import dev.mapsync.testkit.TestDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A barrier whose words another process overwrote (FORMAT.md §9): more parties arrived than the barrier has, a seat
 * holding no owner token. Arriving and the status say so at once with a CorruptMapException naming the barrier and
 * the word (instead of waiting out the timeout); a reset sets it right.
 */
class BarrierCorruptionTest {
    private static final long STATE = Peer.CONTROL + BarrierLayout.STATE;
    private Path dir;
    private String name;

    @BeforeEach
    void setUp() {
        dir = TestDirs.create();
        name = "bc" + Long.toHexString(System.nanoTime());
    }

    @AfterEach
    void tearDown() {
        TestDirs.delete(dir);
    }

    private BarrierSpec spec() {
        return MapSpec.barrier(name, 2).dir(dir);
    }

    private void refused(SharedBarrier b, String message) {
        long start = System.nanoTime();
        CorruptMapException e = assertThrows(CorruptMapException.class, () -> b.await(Duration.ofSeconds(30)));
        assertTrue(System.nanoTime() - start < 5_000_000_000L, "at once, not after the timeout");
        assertEquals("barrier '" + name + "' is corrupt: " + message, e.getMessage());
        e = assertThrows(CorruptMapException.class, b::status);
        assertEquals("barrier '" + name + "' is corrupt: " + message, e.getMessage());
    }

    @Test
    void moreArrivalsThanPartiesAreCorruptUntilAReset() {
        try (SharedBarrier b = SharedBarrier.create(spec())) {
            Peer.putLong(dir.resolve(name), STATE, 7L << 32 | 5); // generation 7, 5 of 2 parties arrived
            refused(b, "5 parties arrived at generation 7, and it has 2");
            b.reset();
            BarrierStatus s = b.status();
            assertEquals(8, s.generation());
            assertEquals(0, s.arrived());
        }
    }

    @Test
    void aSeatHoldingNoOwnerTokenIsCorruptUntilAReset() {
        try (SharedBarrier b = SharedBarrier.create(spec())) {
            // bit 30 is no token's, nor is a token whose generation bits are 0
            for (int garbage : new int[]{1 << 30, 7}) {
                Peer.putInt(dir.resolve(name), Peer.CONTROL + BarrierLayout.seat(1), garbage);
                refused(b, "seat 1 holds " + garbage + ", which is no owner token");
                b.reset();
                assertEquals(0, Peer.getInt(dir.resolve(name), Peer.CONTROL + BarrierLayout.seat(1)), "freed");
            }
        }
    }
}
