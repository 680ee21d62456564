package dev.mapsync.cli.top;

import dev.mapsync.Codec;
import dev.mapsync.HashSpec;
import dev.mapsync.LockGuard;
import dev.mapsync.SharedHashMap;
import dev.mapsync.testkit.TestDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What top shows of a hash map: its keys, the one that changes first, the segment locks held. */
class TopViewTest {
    private Path dir;

    @BeforeEach
    void setUp() throws IOException {
        dir = TestDirs.create();
    }

    @AfterEach
    void tearDown() throws IOException {
        TestDirs.delete(dir);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aHashMapsKeysTheFastestFirstAndItsSegmentLocks() {
        try (SharedHashMap<String, Long> map = SharedHashMap.create(HashSpec.of("h", Codec.chars(8), Codec.i64(), 64)
                .segments(4).dir(dir))) {
            map.put("calm", 5L);
            map.put("busy", 1L);
            TopView view = new TopView(TopSource.of((SharedHashMap<Object, Object>) (SharedHashMap<?, ?>) map), "h");
            view.sample();
            map.getAndAdd("busy", 1000);
            view.sample();
            try (LockGuard ignored = map.lock("calm")) {
                List<String> screen = view.render(12, 120);
                assertTrue(screen.get(0).matches("mapsync top - h \\(shm, hash map of char\\[8] -> i64, 2 keys\\)   \\d\\d:\\d\\d:\\d\\d"),
                        screen.get(0));
                assertTrue(screen.get(1).startsWith("subscribers 0   sleeping 0   changes logged 0   locks held 1 (0 of dead owners)"),
                        screen.get(1));
                assertEquals("KEY              RATE/s   CHANGED  VALUE", screen.get(3));
                assertTrue(screen.get(4).matches("busy +[\\d,.]+ +1/1 +1001"), screen.get(4));
                assertTrue(screen.get(5).matches("calm +0\\.0 +0/1 +5"), screen.get(5));
                assertEquals("LOCK                PID OWNER  HELD SINCE", screen.get(7));
                assertTrue(screen.get(8).matches("segment \\d +" + ProcessHandle.current().pid() + " alive .*"), screen.get(8));
                assertEquals("q quits", screen.getLast());
            }
        }
    }
}
