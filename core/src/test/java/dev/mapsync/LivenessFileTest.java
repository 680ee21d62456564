package dev.mapsync;

import dev.mapsync.internal.sys.LibC;
import dev.mapsync.testkit.TestDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every map has a liveness file beside it that carries the open-file-description locks of its handles: made with the
 * map, read-write for exactly the classes that may write the map, left out of listings, deleted with the map, and
 * remade by a writer of a map that lost it.
 */
class LivenessFileTest {
    private Path dir;

    @BeforeEach
    void setUp() {
        dir = TestDirs.create();
    }

    @AfterEach
    void tearDown() {
        TestDirs.delete(dir);
    }

    private ArraySpec<Long> spec(String name) {
        return MapSpec.array(name, Codec.i64(), 4).dir(dir);
    }

    private int modeOf(Path file) {
        return LibC.lstat(file.toString()).permissions();
    }

    @Test
    void itIsReadWriteForExactlyTheClassesThatMayWriteTheMap() {
        Map<Integer, Integer> expected = Map.of(0600, 0600, 0640, 0600, 0644, 0600, 0660, 0660, 0664, 0660, 0666, 0666,
                0620, 0660, 0602, 0606, 0444, 0);
        for (var e : expected.entrySet()) {
            String name = "m" + Integer.toOctalString(e.getKey());
            SharedArray.create(spec(name).mode(e.getKey())).close();
            assertEquals(e.getKey(), modeOf(dir.resolve(name)));
            assertEquals(e.getValue(), modeOf(dir.resolve(name + ".live")), "for a map of mode " + Integer.toOctalString(e.getKey()));
        }
        SharedRing.create(MapSpec.ring("r", 4096).dir(dir).mode(0664)).close();
        assertEquals(0660, modeOf(dir.resolve("r.live")));
        SharedBarrier.create(MapSpec.barrier("b", 2).dir(dir).mode(0644)).close();
        assertEquals(0600, modeOf(dir.resolve("b.live")));
    }

    @Test
    void theHandlesLocksAreOnTheLivenessFileAndNoneOnTheMapFile() throws IOException {
        try (SharedArray<Long> a = SharedArray.create(spec("locked")); SharedArray<Long> b = SharedArray.open(spec("locked"));
             SharedRing ring = SharedRing.create(MapSpec.ring("ring", 4096).dir(dir)); RingConsumer consumer = ring.consumer()) {
            a.set(0, 1L);
            assertEquals(1L, b.get(0));
            assertEquals(List.of(), locksOn(dir.resolve("locked")), "no lock on the map file");
            assertEquals(2, locksOn(dir.resolve("locked.live")).size(), "one slot lock per read-write handle");
            List<String> ringLocks = locksOn(dir.resolve("ring.live"));
            assertEquals(2, ringLocks.size(), "the producer's slot and the consumer role: " + ringLocks);
            assertTrue(ringLocks.stream().anyMatch(l -> l.endsWith(" " + ((1L << 40) + 1024) + " " + ((1L << 40) + 1024))),
                    ringLocks.toString());
            assertEquals(List.of(), locksOn(dir.resolve("ring")));
            assertEquals(0, Files.size(dir.resolve("locked.live")), "it holds no data");
        }
        assertEquals(List.of(), locksOn(dir.resolve("locked.live")), "closing the handles dropped their locks");
    }

    /** The lines of /proc/locks about the file (by its inode). */
    private static List<String> locksOn(Path file) throws IOException {
        long inode = LibC.lstat(file.toString()).inode();
        return Files.readAllLines(Path.of("/proc/locks")).stream()
                .filter(l -> l.split("\\s+").length > 5 && l.split("\\s+")[5].endsWith(":" + inode)).toList();
    }

    @Test
    void itIsLeftOutOfListingsAndDeletedWithItsMap() {
        SharedArray.create(spec("listed")).close();
        assertEquals(List.of("listed"), SharedMaps.list(dir).stream().map(MapInfo::name).toList());
        SharedMaps.delete(MapSpec.existing("listed").dir(dir));
        assertFalse(Files.exists(dir.resolve("listed")));
        assertFalse(Files.exists(dir.resolve("listed.live")));
    }

    @Test
    void aWriterRemakesALostOneAndAReaderGoesWithout() throws IOException {
        SharedArray.create(spec("lost").mode(0664)).close();
        Files.delete(dir.resolve("lost.live"));
        try (SharedArray<Long> reader = SharedArray.openReadOnly(spec("lost"))) {
            assertEquals(0L, reader.get(0));
            assertFalse(Files.exists(dir.resolve("lost.live")), "a reader makes nothing");
        }
        try (SharedArray<Long> writer = SharedArray.open(spec("lost"))) {
            writer.set(1, 5L);
            assertEquals(0660, modeOf(dir.resolve("lost.live")));
        }
        // a stale one, left by a map of the name that was deleted without it, is replaced by the next creator
        Files.delete(dir.resolve("lost"));
        long stale = LibC.lstat(dir.resolve("lost.live").toString()).inode();
        SharedArray.create(spec("lost").mode(0600)).close();
        assertTrue(LibC.lstat(dir.resolve("lost.live").toString()).inode() != stale);
        assertEquals(0600, modeOf(dir.resolve("lost.live")));
    }
}
