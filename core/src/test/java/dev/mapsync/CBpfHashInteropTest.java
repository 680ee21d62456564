package dev.mapsync;

import dev.mapsync.internal.store.Bpffs;
import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.testkit.CPrograms;
import dev.mapsync.testkit.HashCells;
import dev.mapsync.testkit.HashCells.Cell;
import dev.mapsync.testkit.Machine;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bpf hash maps between libmapsync (built with libbpf) and the Java library (FORMAT.md §10.8): what C puts, adds to
 * and removes in a Java-made kernel hash map (plain, LRU, and with a bpf_spin_lock before each value) Java reads, and
 * a Java subscriber sees every one of those changes, with its key, in order; what Java puts C reads, lists and
 * removes; and C's adds and Java's getAndAdd on the same key at once lose none, because both take the key's stripe
 * lock in the sidecar.
 */
class CBpfHashInteropTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final KernelAssumptions.Pins pins = new KernelAssumptions.Pins();

    private final String name = KernelAssumptions.uniqueName("cbh");

    @BeforeEach
    void needsBpf() {
        Machine.requireBpf();
        CPrograms.testProgram("hash_tool", Backend.BPF); // built here, where a missing libbpf skips the test
    }

    private HashSpec<String, Cell> spec(int capacity) {
        pins.track(Bpffs.defaultPin(name));
        return HashCells.spec(dir, name, Backend.BPF, capacity, 16);
    }

    private CPrograms.Result c(String... args) {
        List<String> command = new ArrayList<>(List.of(CPrograms.testProgram("hash_tool", Backend.BPF).toString(), name));
        command.addAll(List.of(args));
        return CPrograms.run(Map.of("MAPSYNC_DIR", dir.toString()), command);
    }

    private static String line(String key, Cell c) {
        return key + " writer=" + c.writer() + " seq=" + c.seq() + " counter=" + c.counter() + " note=" + c.note();
    }

    @Test
    void cWritesToAKernelHashMapAreWhatJavaReadsAndWatches() throws Exception {
        cWritesAreWhatJavaReadsAndWatches(spec(200));
    }

    @Test
    void cWritesToAnLruHashMapAreWhatJavaReadsAndWatches() throws Exception {
        cWritesAreWhatJavaReadsAndWatches(spec(200).lru(true));
    }

    @Test
    void cWritesToSpinLockedValuesAreWhatJavaReadsAndWatches() throws Exception {
        cWritesAreWhatJavaReadsAndWatches(spec(200).spinLock(true));
    }

    private void cWritesAreWhatJavaReadsAndWatches(HashSpec<String, Cell> spec) throws Exception {
        try (SharedHashMap<String, Cell> map = SharedHashMap.create(spec);
             KeyChangeCursor<String> cursor = map.changes()) {
            assertEquals(Backend.BPF, map.backend());
            CPrograms.Result put = c("fill", "k", "0", "100", "7");
            assertEquals("put 100\n", put.out(), put.err());
            assertEquals("removed 40 absent 0\n", c("remove", "k", "0", "40").out());
            assertEquals("added 10\n", c("add", "k", "90", "100", "5").out());
            assertEquals("added 2\n", c("add", "n", "0", "2", "3").out()); // absent: inserted as zeros but the counter
            assertEquals("removed 0 absent 5\n", c("remove", "x", "0", "5").out());

            assertEquals(62, map.size());
            for (int i = 0; i < 40; i++) assertNull(map.get("k" + i), "k" + i);
            for (int i = 40; i < 90; i++) assertEquals(Cell.of(7, i), map.get("k" + i), "k" + i);
            for (int i = 90; i < 100; i++) assertEquals(new Cell(7, i, 5, "w7"), map.get("k" + i), "k" + i);
            assertEquals(new Cell(0, 0, 3, ""), map.get("n0"));
            assertEquals(new Cell(0, 0, 3, ""), map.get("n1"));

            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 100; i++) expected.add("PUT k" + i);
            for (int i = 0; i < 40; i++) expected.add("REMOVE k" + i);
            for (int i = 90; i < 100; i++) expected.add("ADD k" + i);
            expected.add("ADD n0");
            expected.add("ADD n1");
            List<String> seen = new ArrayList<>();
            while (seen.size() < expected.size()) {
                List<KeyChangeEvent<String>> got = cursor.poll(Duration.ofSeconds(10));
                assertTrue(!got.isEmpty(), "changes stopped after " + seen.size() + ": " + seen);
                for (KeyChangeEvent<String> e : got) {
                    seen.add(e instanceof KeyChange<String> k ? k.kind() + " " + k.key() : e.toString());
                }
            }
            assertEquals(expected, seen);
            assertTrue(cursor.poll(Duration.ZERO).isEmpty(), "no change beyond C's");
        }
    }

    @Test
    void whatJavaPutsCReadsListsAndRemoves() {
        try (SharedHashMap<String, Cell> map = SharedHashMap.create(spec(200).spinLock(true))) {
            for (int i = 0; i < 60; i++) map.put("j" + i, Cell.of(3, i));
            for (int i = 0; i < 60; i += 3) map.remove("j" + i);
            map.put("j1", Cell.of(4, 1));
            assertEquals(line("j1", Cell.of(4, 1)) + "\n", c("get", "j1").out());
            assertEquals("j3 absent\n", c("get", "j3").out());
            CPrograms.Result list = c("list");
            assertEquals(0, list.exit(), list.err());
            List<String> expected = new ArrayList<>();
            map.forEach((k, v) -> expected.add(line(k, v)));
            List<String> lines = List.of(list.out().split("\n"));
            assertEquals(40, lines.size());
            assertEquals(expected.stream().sorted().toList(), lines.stream().sorted().toList());
            assertEquals("removed 40 absent 20\n", c("remove", "j", "0", "60").out());
            assertEquals(0, map.size());
            assertEquals("", c("list").out());
        }
    }

    @Test
    void cAndJavaAddingToTheSameKeysAtOnceLoseNoAdd() throws Exception {
        int rounds = 1500;
        for (boolean spinLock : new boolean[]{false, true}) {
            try (SharedHashMap<String, Cell> map = SharedHashMap.create(spec(64).spinLock(spinLock))) {
                CompletableFuture<CPrograms.Result> cAdds = CompletableFuture.supplyAsync(
                        () -> c("add", "c", "0", "4", "1", Integer.toString(rounds)));
                long javaRounds = 0;
                // Java adds until C is done, so that the two overlap however long C takes to start
                while (!cAdds.isDone() || javaRounds < rounds) {
                    for (int i = 0; i < 4; i++) map.getAndAdd("c" + i, "counter", 1000);
                    javaRounds++;
                }
                CPrograms.Result r = cAdds.get();
                assertEquals("added " + 4 * rounds + "\n", r.out(), r.err());
                for (int i = 0; i < 4; i++) {
                    assertEquals(new Cell(0, 0, rounds + 1000 * javaRounds, ""), map.get("c" + i),
                            "c" + i + ", spin lock " + spinLock);
                }
            }
            SharedMaps.delete(MapSpec.existing(name).dir(dir).backend(Backend.BPF));
        }
    }
}
