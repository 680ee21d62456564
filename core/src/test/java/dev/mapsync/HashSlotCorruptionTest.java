package dev.mapsync;

import dev.mapsync.internal.hash.HashLayout;
import dev.mapsync.testkit.HashFile;
import dev.mapsync.testkit.MapDir;
import dev.mapsync.testkit.Peer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * An shm hash map whose slots, counts or entries hint another process overwrote with words no writer writes
 * (FORMAT.md §10.4 to §10.7): every operation that reads such a word says so, or sets it right where it can be, and
 * none answers wrongly: no key lost, none twice, no entry beyond the capacity.
 */
@Timeout(60)
class HashSlotCorruptionTest {
    @RegisterExtension
    final MapDir maps = new MapDir("hs");

    private static final int CAPACITY = 64;

    /** One segment of 184 slots, so that 60 keys make clusters. */
    private HashSpec<String, Long> spec() {
        return HashSpec.of(maps.name(), Codec.chars(16), Codec.i64(), CAPACITY).segments(1).dir(maps.dir())
                .lockTimeout(Duration.ofSeconds(1));
    }

    private HashFile table() {
        return new HashFile(maps.dir().resolve(maps.name()), new HashLayout(16, 8, CAPACITY, 1));
    }

    /** A map of keys k0..k{n-1} with value i, closed. */
    private void mapWithKeys(int n) {
        try (SharedHashMap<String, Long> map = SharedHashMap.create(spec())) {
            for (int i = 0; i < n; i++) map.put("k" + i, (long) i);
        }
    }

    private CorruptMapException corrupt(Runnable action) {
        return assertThrows(CorruptMapException.class, action::run);
    }

    private Map<String, Long> iterated(SharedHashMap<String, Long> map) {
        Map<String, Long> out = new TreeMap<>();
        map.forEach((k, v) -> assertEquals(null, out.put(k, v), "key " + k + " twice"));
        return out;
    }

    @Test
    void aSlotMetaNoSlotHasIsCorruptToEveryOperationThatReadsIt() {
        mapWithKeys(20);
        HashFile.Slot k1 = table().slotOf("k1");
        Peer.putInt(table().file(), k1.at(), 3);
        String message = "map '" + maps.name() + "' is corrupt: slot " + k1.index() + " of segment 0 has meta 3, which"
                + " no slot has";
        try (SharedHashMap<String, Long> map = SharedHashMap.open(spec())) {
            assertEquals(message, corrupt(() -> map.get("k1")).getMessage());
            assertEquals(message, corrupt(() -> map.containsKey("k1")).getMessage());
            assertEquals(message, corrupt(() -> map.put("k1", 99L)).getMessage());
            assertEquals(message, corrupt(() -> map.remove("k1")).getMessage());
            assertEquals(message, corrupt(() -> map.forEach((k, v) -> { })).getMessage());
            assertEquals(message, corrupt(map::clear).getMessage());
        }
    }

    @Test
    void anEntriesHintBelowZeroDoesNotLiftTheCapacity() {
        mapWithKeys(60);
        Peer.putLong(table().file(), table().data() + HashLayout.ENTRIES_HINT, -1000L);
        try (SharedHashMap<String, Long> map = SharedHashMap.open(spec())) {
            for (int i = 60; i < 64; i++) map.put("k" + i, (long) i);
            MapFullException full = assertThrows(MapFullException.class, () -> map.put("k64", 64L));
            assertEquals("map '" + maps.name() + "' is full: it holds 64 entries, its capacity is 64; remove keys or"
                    + " create the map with a larger capacity", full.getMessage());
            assertEquals(64, map.size());
        }
        Peer.putLong(table().file(), table().data() + HashLayout.ENTRIES_HINT, Long.MIN_VALUE + 10);
        try (SharedHashMap<String, Long> map = SharedHashMap.open(spec())) {
            assertThrows(MapFullException.class, () -> map.put("k65", 65L));
            assertEquals(64, map.size());
        }
    }

    @Test
    void aTombstoneCountAboveTheSegmentIsSetRightByTheNextWriter() {
        mapWithKeys(20);
        Peer.putInt(table().file(), table().segment() + HashLayout.TOMBSTONES, -1);
        try (SharedHashMap<String, Long> map = SharedHashMap.open(spec())) {
            assertEquals(5L, map.put("k5", 50L));
            assertEquals(0, Peer.getInt(table().file(), table().segment() + HashLayout.TOMBSTONES));
            assertEquals("", map.verifyTable());
            assertEquals(20, iterated(map).size());
        }
    }

    @Test
    void aSweepMovesKeysBackWhateverTheLiveCountSays() {
        mapWithKeys(20);
        String y = table().cutShortDeleteBefore();
        long yValue = Long.parseLong(y.substring(1));
        // ...and a live count of 0, which says no key is left to move back
        Peer.putInt(table().file(), table().data() + HashLayout.count(0), 0);
        try (SharedHashMap<String, Long> map = SharedHashMap.open(spec())) {
            map.put("other", 1L); // the writer sweeps first
            assertEquals(yValue, map.get(y));
            assertEquals(yValue, map.put(y, 77L));
            Map<String, Long> all = iterated(map);
            assertEquals(21, all.size(), "the 20 keys and other");
            assertEquals(77L, all.get(y));
        }
    }

    @Test
    void aHomeWordThatIsNotItsKeysIsCorruptToADeleteThatWouldMoveTheKey() {
        int j = table().remakeUntilKeyAfterKey(() -> mapWithKeys(60), () -> SharedMaps.delete(spec().location()));
        HashFile.Slot[] s = table().slots();
        String x = s[j - 1].key(), y = s[j].key();
        Peer.putInt(table().file(), s[j].at() + 4, j - 1); // y's home word says it was displaced by one
        try (SharedHashMap<String, Long> map = SharedHashMap.open(spec())) {
            CorruptMapException e = corrupt(() -> map.remove(x));
            assertEquals("map '" + maps.name() + "' is corrupt: the key in slot " + j + " of segment 0 has its home at"
                    + " slot " + (j - 1) + ", and its hash puts it at slot " + j, e.getMessage());
            assertEquals(Long.parseLong(y.substring(1)), map.get(y), "y stays where its hash finds it");
        }
    }
}
