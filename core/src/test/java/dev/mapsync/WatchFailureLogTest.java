package dev.mapsync;

import dev.mapsync.testkit.LibraryLog;
import dev.mapsync.testkit.MapDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A listener that throws ends its subscription, and says so where the application's logging goes: once, through
 * {@code System.Logger} "dev.mapsync" (captured here at the JDK logging handler it reaches by default), with the
 * map's name and the exception.
 */
class WatchFailureLogTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final MapDir maps = new MapDir("wf");
    @RegisterExtension
    final LibraryLog log = new LibraryLog();

    @Test
    void aListenerThatThrowsIsLoggedOnceWithTheMapAndTheException() throws Exception {
        IllegalStateException bug = new IllegalStateException("a bug in the listener");
        try (SharedArray<Long> map = SharedArray.create(MapSpec.array(maps.name(), Codec.i64(), 4).dir(maps.dir()))) {
            Subscription sub = map.watch(e -> {
                throw bug;
            });
            for (int i = 0; i < 5; i++) map.longs().getAndAdd(i % 4, 1);
            waitFor(() -> !sub.isActive(), "the subscription ended");
            for (int i = 0; i < 5; i++) map.longs().getAndAdd(i % 4, 1);
            sub.close(); // joins the delivering thread: nothing can be logged after this
            assertSame(bug, sub.failure().orElseThrow());
            assertLoggedOnce(bug, maps.name());
        }
    }

    @Test
    void aHashMapListenerThatThrowsIsLoggedOnceToo() throws Exception {
        IllegalArgumentException bug = new IllegalArgumentException("cannot handle that key");
        try (SharedHashMap<Long, Long> map = SharedHashMap.create(HashSpec.of(maps.name(), Codec.i64(), Codec.i64(), 64)
                .dir(maps.dir()))) {
            Subscription sub = map.watch(e -> {
                throw bug;
            });
            map.put(1L, 1L);
            map.put(2L, 2L);
            waitFor(() -> !sub.isActive(), "the subscription ended");
            sub.close();
            assertLoggedOnce(bug, maps.name());
        }
    }

    @Test
    void aSubscriptionClosedWithoutFailureLogsNothing() throws Exception {
        try (SharedArray<Long> map = SharedArray.create(MapSpec.array(maps.name(), Codec.i64(), 4).dir(maps.dir()))) {
            Subscription sub = map.watch(e -> { });
            map.longs().getAndAdd(0, 1);
            sub.close();
            assertFalse(sub.failure().isPresent());
            assertEquals(List.of(), log.messages());
        }
    }

    private void assertLoggedOnce(Throwable bug, String mapName) {
        assertEquals(1, log.records().size(), "log records: " + log.messages());
        LogRecord r = log.records().getFirst();
        assertSame(bug, r.getThrown());
        assertTrue(r.getLevel().intValue() >= Level.WARNING.intValue(), "level " + r.getLevel());
        assertTrue(r.getMessage().contains("'" + mapName + "'"), r.getMessage());
        assertTrue(r.getMessage().contains("listener"), r.getMessage());
        assertEquals("dev.mapsync", r.getLoggerName());
    }

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) throw new AssertionError(what + ": not within " + WAIT);
            Thread.sleep(1);
        }
    }
}
