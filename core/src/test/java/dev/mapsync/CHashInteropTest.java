package dev.mapsync;

import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.CPrograms;
import dev.mapsync.testkit.HashPausedWriter;
import dev.mapsync.testkit.TestJvm;
import dev.mapsync.testkit.HashCells;
import dev.mapsync.testkit.HashCells.Cell;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shm hash maps between libmapsync and the Java library (FORMAT.md §10): keys C puts and removes (clusters shifted
 * back, in a map of two segments so that keys collide) are what Java reads, and the reverse; C and Java filling one
 * segment at once lose no key; C iterates what Java wrote, each key once; and a Java writer killed in the middle of a
 * write window leaves a segment that C reads through the journal and repairs when it writes, and the reverse: a C
 * writer killed wherever it was leaves a segment Java repairs, losing at most the operation it was in.
 */
class CHashInteropTest {
    @TempDir
    Path dir;

    private final String name = KernelAssumptions.uniqueName("chash");

    private CPrograms.Result c(String... args) {
        List<String> command = new ArrayList<>(List.of(CPrograms.testProgram("hash_tool", Backend.SHM).toString(), name));
        command.addAll(List.of(args));
        return CPrograms.run(Map.of("MAPSYNC_DIR", dir.toString()), command);
    }

    private static String line(String key, Cell c) {
        return key + " writer=" + c.writer() + " seq=" + c.seq() + " counter=" + c.counter() + " note=" + c.note();
    }

    @Test
    void keysCPutsAndRemovesAreWhatJavaReads() {
        try (SharedHashMap<String, Cell> map = SharedHashMap.create(HashCells.spec(dir, name, Backend.SHM, 300, 2))) {
            CPrograms.Result put = c("fill", "k", "0", "250", "7");
            assertEquals("put 250\n", put.out(), put.err());
            for (int i = 0; i < 250; i++) assertEquals(Cell.of(7, i), map.get("k" + i), "k" + i);
            assertEquals(250, map.size());
            CPrograms.Result removed = c("remove", "k", "0", "130");
            assertEquals("removed 130 absent 0\n", removed.out(), removed.err());
            for (int i = 0; i < 130; i++) assertNull(map.get("k" + i), "k" + i);
            for (int i = 130; i < 250; i++) assertEquals(Cell.of(7, i), map.get("k" + i), "k" + i);
            assertEquals(120, map.size());
            Map<String, Cell> all = new TreeMap<>();
            map.forEach((k, v) -> assertNull(all.put(k, v), "seen twice: " + k));
            assertEquals(120, all.size());
            // put again over a table whose clusters were shifted back: every key still found once
            assertEquals("put 30\n", c("fill", "k", "100", "130", "8").out());
            for (int i = 100; i < 130; i++) assertEquals(Cell.of(8, i), map.get("k" + i));
            assertEquals(150, map.size());
        }
    }

    @Test
    void keysJavaPutsAndRemovesAreWhatCReads() {
        try (SharedHashMap<String, Cell> map = SharedHashMap.create(HashCells.spec(dir, name, Backend.SHM, 300, 2))) {
            for (int i = 0; i < 200; i++) map.put("j" + i, Cell.of(3, i));
            for (int i = 0; i < 200; i += 3) map.remove("j" + i);
            map.put("j1", Cell.of(4, 1)); // in place
            assertEquals(line("j1", Cell.of(4, 1)) + "\n", c("get", "j1").out());
            assertEquals("j3 absent\n", c("get", "j3").out());
            assertEquals(line("j199", Cell.of(3, 199)) + "\n", c("get", "j199").out());
            CPrograms.Result list = c("list");
            assertEquals(0, list.exit(), list.err());
            List<String> expected = new ArrayList<>();
            map.forEach((k, v) -> expected.add(line(k, v)));
            List<String> lines = new ArrayList<>(List.of(list.out().split("\n")));
            assertEquals(133, lines.size());
            assertEquals(expected.stream().sorted().toList(), lines.stream().sorted().toList());
            assertEquals("removed 133 absent 67\n", c("remove", "j", "0", "200").out());
            assertEquals(0, map.size());
            assertEquals("", c("list").out());
        }
    }

    @Test
    void cAndJavaFillingOneSegmentAtOnceLoseNoKey() throws Exception {
        try (SharedHashMap<String, Cell> map = SharedHashMap.create(HashCells.spec(dir, name, Backend.SHM, 2000, 1))) {
            CPrograms.testProgram("hash_tool", Backend.SHM); // built here, where a missing compiler skips the test
            CompletableFuture<CPrograms.Result> cFill = CompletableFuture.supplyAsync(() -> c("fill", "c", "0", "900", "1"));
            for (int i = 0; i < 900; i++) map.put("j" + i, Cell.of(2, i));
            CPrograms.Result r = cFill.get();
            assertEquals("put 900\n", r.out(), r.err());
            assertEquals(1800, map.size());
            for (int i = 0; i < 900; i++) {
                assertEquals(Cell.of(1, i), map.get("c" + i));
                assertEquals(Cell.of(2, i), map.get("j" + i));
            }
            CompletableFuture<CPrograms.Result> cRemove = CompletableFuture.supplyAsync(() -> c("remove", "j", "0", "900"));
            for (int i = 0; i < 900; i += 2) map.remove("c" + i);
            assertEquals("removed 900 absent 0\n", cRemove.get().out());
            assertEquals(450, map.size());
            for (int i = 1; i < 900; i += 2) assertEquals(Cell.of(1, i), map.get("c" + i));
        }
    }

    @Test
    void aJavaWriterKilledMidWindowIsReadThroughAndRepairedByC() {
        try (SharedHashMap<String, Cell> map = SharedHashMap.create(HashCells.spec(dir, name, Backend.SHM, 100, 1))) {
            for (int i = 0; i < 40; i++) map.put("k" + i, Cell.of(1, i));
            // killed while it rewrites k5's value in place: readers see the old value, the next writer restores it
            try (ChildJvm writer = TestJvm.start(HashPausedWriter.class, dir.toString(), name, "SHM", "100", "1", "1", "put", "k5")) {
                writer.awaitLine("paused mid-window", 30);
                writer.kill();
            }
            assertEquals(line("k5", Cell.of(1, 5)) + "\n", c("get", "k5").out());
            assertEquals("put 1\n", c("fill", "k", "6", "7", "3").out()); // takes the dead writer's lock, rolls back
            assertEquals(Cell.of(1, 5), map.get("k5"));
            assertEquals(Cell.of(3, 6), map.get("k6"));
            assertEquals("", map.verifyTable());
            // killed in the second window of a delete: the key is gone, a tombstone is left for the next writer to sweep
            try (ChildJvm writer = TestJvm.start(HashPausedWriter.class, dir.toString(), name, "SHM", "100", "1", "2", "remove", "k9")) {
                writer.awaitLine("paused mid-window", 30);
                writer.kill();
            }
            assertEquals("k9 absent\n", c("get", "k9").out());
            assertEquals(line("k10", Cell.of(1, 10)) + "\n", c("get", "k10").out());
            assertEquals("put 1\n", c("fill", "k", "40", "41", "3").out());
            assertNull(map.get("k9"));
            assertEquals(40, map.size());
            assertEquals(0, map.stats().tombstones());
            assertEquals("", map.verifyTable());
            for (int i = 0; i < 41; i++) {
                if (i != 9) assertEquals(i == 6 || i == 40 ? Cell.of(3, i) : Cell.of(1, i), map.get("k" + i), "k" + i);
            }
        }
    }

    @Test
    void aCWriterKilledWhereverItWasLosesAtMostItsOwnOperation() throws Exception {
        int keys = 60, perRound = keys + keys / 2, rounds = 24;
        try (SharedHashMap<String, Cell> map = SharedHashMap.create(HashCells.spec(dir, name, Backend.SHM, 100, 1));
             SharedArray<Long> progress = SharedArray.create(MapSpec.array(name + "p", Codec.i64(), 1).dir(dir))) {
            boolean[] model = new boolean[keys]; // each key's state after the last operation C finished
            int insideLock = 0;
            for (int round = 0; round < rounds; round++) {
                progress.longs().setRelease(0, 0);
                ProcessBuilder pb = new ProcessBuilder(CPrograms.testProgram("hash_tool", Backend.SHM).toString(), name,
                        "churn", "c", Integer.toString(keys), name + "p").redirectErrorStream(true)
                        .redirectOutput(dir.resolve("churn.out").toFile());
                pb.environment().put("MAPSYNC_DIR", dir.toString());
                Process p = pb.start();
                try {
                    // a different point of the churn each round: some die inside a put, some inside a delete's shift
                    long target = 100 + 37L * round;
                    while (progress.longs().getAcquire(0) < target) {
                        assertTrue(p.isAlive(), () -> "the C writer ended: " + read(dir.resolve("churn.out")));
                        Thread.onSpinWait();
                    }
                } finally {
                    p.destroyForcibly(); // SIGKILL, wherever it is
                    assertTrue(p.waitFor(10, TimeUnit.SECONDS));
                }
                long finished = progress.longs().getAcquire(0);
                for (long n = 0; n < finished; n++) apply(model, n, keys, perRound);
                int inFlight = keyOf(finished, keys, perRound); // the operation it was in: done or not, nothing else
                if (!map.locks().isEmpty()) insideLock++;
                map.put("probe", Cell.of(1, round)); // takes the dead writer's lock over and repairs the segment
                assertEquals("", map.verifyTable(), "round " + round);
                assertEquals(0, map.stats().tombstones(), "round " + round);
                int live = 0;
                for (int i = 0; i < keys; i++) {
                    Cell v = map.get("c" + i);
                    if (v != null) assertEquals(new Cell(5, v.seq(), 0, "w5"), v, "c" + i);
                    if (i == inFlight) model[i] = v != null;
                    else assertEquals(model[i], v != null, "round " + round + ", c" + i + " after " + finished + " operations");
                    if (model[i]) live++;
                }
                assertEquals(live + 1, map.size());
                map.remove("probe");
            }
            System.out.println("C writer killed " + rounds + " times, " + insideLock + " of them holding the segment's lock");
        }
    }

    /** Operation {@code n} of the churn: puts of 0..keys-1, then removals of the even keys, over and over. */
    private static void apply(boolean[] model, long n, int keys, int perRound) {
        int j = (int) (n % perRound);
        if (j < keys) model[j] = true;
        else model[2 * (j - keys)] = false;
    }

    private static int keyOf(long n, int keys, int perRound) {
        int j = (int) (n % perRound);
        return j < keys ? j : 2 * (j - keys);
    }

    private static String read(Path file) {
        try {
            return java.nio.file.Files.readString(file);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    @Test
    void changesOfEachSideReachTheOtherWithTheirKeys() throws Exception {
        try (SharedHashMap<String, Cell> map = SharedHashMap.create(HashCells.spec(dir, name, Backend.SHM, 100, 2))) {
            ProcessBuilder pb = new ProcessBuilder(CPrograms.testProgram("hash_tool", Backend.SHM).toString(), name,
                    "watch", "5").redirectErrorStream(true);
            pb.environment().put("MAPSYNC_DIR", dir.toString());
            Process p = pb.start();
            p.getOutputStream().close();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                assertEquals("subscribed", out.readLine());
                map.put("a", Cell.of(1, 1));
                map.put("b", Cell.of(1, 2));
                map.put("a", Cell.of(1, 3));
                map.getAndAdd("b", "counter", 5);
                map.remove("a");
                List<String> lines = new ArrayList<>();
                for (String l; (l = out.readLine()) != null; ) lines.add(l);
                assertEquals(List.of("write a", "write b", "write a", "atomic b", "remove a"), lines);
                assertTrue(p.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, p.exitValue());
            } finally {
                p.destroyForcibly();
            }
            try (KeyChangeCursor<String> cursor = map.changes()) {
                assertEquals("put 3\n", c("fill", "x", "0", "3", "9").out());
                assertEquals("removed 1 absent 0\n", c("remove", "x", "1", "2").out());
                List<KeyChangeEvent<String>> events = new ArrayList<>();
                while (events.size() < 4) {
                    List<KeyChangeEvent<String>> got = cursor.poll(java.time.Duration.ofSeconds(10));
                    assertTrue(!got.isEmpty(), "changes stopped after " + events);
                    events.addAll(got);
                }
                List<String> seen = events.stream().map(e -> e instanceof KeyChange<String> k ? k.kind() + " " + k.key() : e.toString()).toList();
                assertEquals(List.of("PUT x0", "PUT x1", "PUT x2", "REMOVE x1"), seen);
            }
        }
    }
}
