package dev.mapsync;

import dev.mapsync.internal.hash.HashLayout;
import dev.mapsync.testkit.MapDir;
import dev.mapsync.testkit.Peer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An shm hash map whose segment headers another process overwrote (FORMAT.md §10.1, §10.3, §10.6): an odd sequence
 * whose journal belongs to another window, a journal naming slots the segment does not have. Readers and writers
 * say so at once with a CorruptMapException naming the map and the segment; none waits, spins or reads out of bounds.
 */
class HashCorruptionTest {
    @RegisterExtension
    final MapDir maps = new MapDir("hc");

    private static final int SEGMENTS = 4;

    private HashSpec<String, Long> spec() {
        return HashSpec.of(maps.name(), Codec.chars(16), Codec.i64(), 64).segments(SEGMENTS).dir(maps.dir())
                .lockTimeout(Duration.ofSeconds(30));
    }

    /** A map of keys k0..k19; returns its table's geometry. */
    private HashLayout mapWithKeys() {
        try (SharedHashMap<String, Long> map = SharedHashMap.create(spec())) {
            for (int i = 0; i < 20; i++) map.put("k" + i, (long) i);
        }
        return new HashLayout(16, 8, 64, SEGMENTS);
    }

    private Path file() {
        return maps.dir().resolve(maps.name());
    }

    /** The file offset of segment {@code g}. */
    private long segment(HashLayout layout, int g) {
        return Peer.getLong(file(), Peer.DATA_OFFSET) + layout.segment(g);
    }

    /** Runs {@code action} on the map and expects a CorruptMapException that starts with {@code message}, within 5 s. */
    private void corrupt(String message, Consumer<SharedHashMap<String, Long>> action) throws Exception {
        CompletableFuture<Throwable> thrown = CompletableFuture.supplyAsync(() -> {
            try (SharedHashMap<String, Long> map = SharedHashMap.open(spec())) {
                action.accept(map);
                return null;
            } catch (Throwable t) {
                return t;
            }
        }, r -> Thread.ofPlatform().daemon().start(r)); // a thread of its own: a hung one must not hold up the next
        Throwable t = thrown.get(5, TimeUnit.SECONDS); // once it spun for the lock timeout (30 s)
        CorruptMapException e = assertThrows(CorruptMapException.class, () -> {
            if (t != null) throw t;
        });
        assertTrue(e.getMessage().startsWith("map '" + maps.name() + "' is corrupt: " + message), e.getMessage());
    }

    private void everyOperationSays(String message) throws Exception {
        for (int i = 0; i < 20; i += 3) {
            String key = "k" + i;
            corrupt(message, map -> map.get(key));
            corrupt(message, map -> map.containsKey(key));
            corrupt(message, map -> map.put(key, 7L));
            corrupt(message, map -> map.remove(key));
        }
        corrupt(message, map -> map.forEach((k, v) -> { }));
        corrupt(message, SharedHashMap::stats);
        corrupt(message, SharedHashMap::clear);
    }

    @Test
    void anOddSequenceWithTheJournalOfAnotherWindowIsCorruptForReadersToo() throws Exception {
        HashLayout layout = mapWithKeys();
        for (int g = 0; g < SEGMENTS; g++) {
            long seg = segment(layout, g);
            int seq = Peer.getInt(file(), seg + HashLayout.SEQ);
            // a segment no key landed in (the seed is random) was never written: no window, tag 0
            assertEquals(seq == 0 ? 0 : seq - 1, Peer.getInt(file(), seg + HashLayout.J_TAG),
                    "the journal of the last window");
            Peer.putInt(file(), seg + HashLayout.SEQ, seq + 1); // odd, under a free lock, with the old window's tag
        }
        everyOperationSays("segment ");
    }

    @Test
    void aJournalNamingASlotTheSegmentDoesNotHaveIsCorrupt() throws Exception {
        HashLayout layout = mapWithKeys();
        for (int g = 0; g < SEGMENTS; g++) {
            long seg = segment(layout, g);
            int seq = Peer.getInt(file(), seg + HashLayout.SEQ);
            // a window left open with its tag right, as a writer that died in it leaves it, but slot A out of range
            Peer.putInt(file(), seg + HashLayout.J_A, layout.slotsPerSegment + 1);
            Peer.putInt(file(), seg + HashLayout.J_FLAGS, HashLayout.J_IMAGE);
            Peer.putInt(file(), seg + HashLayout.J_TAG, seq + 1);
            Peer.putInt(file(), seg + HashLayout.SEQ, seq + 1);
        }
        everyOperationSays("segment ");
    }

    @Test
    void aJournalSlotBWithoutSlotAOrCountsBeyondTheSegmentAreCorrupt() throws Exception {
        HashLayout layout = mapWithKeys();
        for (int g = 0; g < SEGMENTS; g++) {
            long seg = segment(layout, g);
            int seq = Peer.getInt(file(), seg + HashLayout.SEQ);
            Peer.putInt(file(), seg + HashLayout.J_A, 0);
            Peer.putInt(file(), seg + HashLayout.J_B, 3);
            Peer.putInt(file(), seg + HashLayout.J_TAG, seq + 1);
            Peer.putInt(file(), seg + HashLayout.SEQ, seq + 1);
        }
        everyOperationSays("segment ");
    }
}
