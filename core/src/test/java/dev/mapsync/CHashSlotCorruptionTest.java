package dev.mapsync;

import dev.mapsync.internal.hash.HashLayout;
import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.testkit.CPrograms;
import dev.mapsync.testkit.HashCells;
import dev.mapsync.testkit.HashCells.Cell;
import dev.mapsync.testkit.HashFile;
import dev.mapsync.testkit.Peer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * libmapsync on an shm hash map whose slots, counts or entries hint a peer overwrote (as {@link HashSlotCorruptionTest}
 * for Java): it says the map is corrupt where it reads such a word, and never loses a key or passes the capacity.
 */
class CHashSlotCorruptionTest {
    @TempDir
    Path dir;

    private final String name = KernelAssumptions.uniqueName("cslot");
    private static final int CAPACITY = 64;

    private CPrograms.Result c(String... args) {
        List<String> command = new ArrayList<>(List.of(CPrograms.testProgram("hash_tool", Backend.SHM).toString(), name));
        command.addAll(List.of(args));
        return CPrograms.run(Map.of("MAPSYNC_DIR", dir.toString()), command);
    }

    private HashSpec<String, Cell> spec() {
        return HashCells.spec(dir, name, Backend.SHM, CAPACITY, 1);
    }

    private HashFile table() {
        return new HashFile(dir.resolve(name), new HashLayout(16, 32, CAPACITY, 1));
    }

    /** A map of k0..k{n-1}, each {@code Cell.of(1, i)}, closed. */
    private void mapWithKeys(int n) {
        try (SharedHashMap<String, Cell> map = SharedHashMap.create(spec())) {
            for (int i = 0; i < n; i++) map.put("k" + i, Cell.of(1, i));
        }
    }

    private void assertCorrupt(String message, CPrograms.Result r) {
        assertEquals(3, r.exit(), r.err());
        assertEquals("hash_tool: map " + name + " is corrupt: " + message + "\n", r.err());
    }

    @Test
    void aSlotMetaNoSlotHasIsCorruptToEveryOperationThatReadsIt() {
        mapWithKeys(20);
        HashFile.Slot k1 = table().slotOf("k1");
        Peer.putInt(table().file(), k1.at(), 3);
        String message = "slot " + k1.index() + " of segment 0 has meta 3, which no slot has";
        assertCorrupt(message, c("get", "k1"));
        assertCorrupt(message, c("fill", "k", "1", "2", "9"));
        assertCorrupt(message, c("remove", "k", "1", "2"));
        assertCorrupt(message, c("list"));
    }

    @Test
    void anEntriesHintBelowZeroDoesNotLiftTheCapacity() {
        mapWithKeys(60);
        Peer.putLong(table().file(), table().data() + HashLayout.ENTRIES_HINT, -1000L);
        CPrograms.Result r = c("fill", "n", "0", "10", "2");
        assertEquals("hash_tool: map " + name + " is full: it holds 64 entries, its capacity is 64\n", r.err());
        try (SharedHashMap<String, Cell> map = SharedHashMap.open(spec())) {
            assertEquals(64, map.size());
        }
    }

    @Test
    void aSweepMovesKeysBackWhateverTheLiveCountSays() {
        mapWithKeys(20);
        String y = table().cutShortDeleteBefore();
        Peer.putInt(table().file(), table().data() + HashLayout.count(0), 0);
        CPrograms.Result r = c("fill", "other", "0", "1", "2"); // the writer sweeps first
        assertEquals("put 1\n", r.out(), r.err());
        try (SharedHashMap<String, Cell> map = SharedHashMap.open(spec())) {
            assertEquals(Cell.of(1, Long.parseLong(y.substring(1))), map.get(y));
        }
    }

    @Test
    void aHomeWordThatIsNotItsKeysIsCorruptToADeleteThatWouldMoveTheKey() {
        int j = table().remakeUntilKeyAfterKey(() -> mapWithKeys(60), () -> SharedMaps.delete(spec().location()));
        HashFile.Slot[] s = table().slots();
        Peer.putInt(table().file(), s[j].at() + 4, j - 1);
        String x = s[j - 1].key();
        assertCorrupt("the key in slot " + j + " of segment 0 has its home at slot " + (j - 1) + ", and its hash puts it"
                + " at slot " + j, c("remove", "k", x.substring(1), Integer.toString(Integer.parseInt(x.substring(1)) + 1)));
        assertEquals(s[j].key() + " writer=1 seq=" + s[j].key().substring(1) + " counter=0 note=w1\n",
                c("get", s[j].key()).out());
    }
}
