package dev.mapsync.bench.ring;

import dev.mapsync.bench.MappedFiles;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The round-trip driver does not spin for ever on an echo process that ended. */
class RingDriverTest {
    @Test
    void waitsOnAnEndedEchoFailUnlessTheRecordIsThere() throws Exception {
        Path dir = MappedFiles.tempDir();
        try (BenchRing ring = RingDriver.open("mapsync", dir, "pong", 4096, 64, true)) {
            Process echo = new ProcessBuilder("false").start();
            assertTrue(echo.waitFor(60, TimeUnit.SECONDS), "the process did not end");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> RingDriver.take(ring, echo));
            assertEquals("latency: the echo process ended (exit 1) before it answered", e.getMessage());
            RingDriver.offer(ring, 7, 64, echo); // room: no wait
            assertEquals(7, RingDriver.take(ring, echo), "a record written before the end counts");
            while (ring.offer(8, 64)) {
                // fill the ring
            }
            e = assertThrows(IllegalStateException.class, () -> RingDriver.offer(ring, 9, 64, echo));
            assertEquals("latency: the echo process ended (exit 1) before it took the record", e.getMessage());
        } finally {
            MappedFiles.deleteTree(dir);
        }
    }
}
