package dev.mapsync;

import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.TestJvm;
import dev.mapsync.testkit.HashCells;
import dev.mapsync.testkit.HashCells.Cell;
import dev.mapsync.testkit.HashPausedWriter;
import dev.mapsync.testkit.HashWorker;
import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.MapDir;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Hash maps shared by separate JVM processes, including writers killed with SIGKILL in the middle of a write. */
class HashCrossProcessTest {
    @RegisterExtension
    final MapDir maps = new MapDir("x");
    private Path dir;
    private String name;

    @BeforeEach
    void setUp() {
        dir = maps.dir();
        name = maps.name();
    }

    /**
     * Four processes put, putIfAbsent, remove and add on overlapping keys. Every value written names its writer and
     * operation, and every operation logs what it returned, so each key's final value follows from the logs alone:
     * a written value is overwritten (returned by a put or remove) at most once, and the one value never returned is
     * the key's value now. Counters are the sum of their logged adds.
     */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void fourProcessesLeaveExactlyWhatTheirLogsSay(Backend b) throws Exception {
        int processes = 4, ops = b == Backend.SHM ? 20_000 : 5_000, chainKeys = 60, counterKeys = 8;
        int capacity = 80, segments = 4;
        HashSpec<String, Cell> spec = HashCells.spec(dir, name, b, capacity, segments);
        Machine.require(b);
        try (SharedHashMap<String, Cell> map = SharedHashMap.create(spec)) {
            List<ChildJvm> workers = new ArrayList<>();
            for (int w = 1; w <= processes; w++) {
                workers.add(TestJvm.start(HashWorker.class, dir.toString(), name, b.name(), Integer.toString(capacity),
                        Integer.toString(segments), Integer.toString(w), Integer.toString(ops),
                        Integer.toString(chainKeys), Integer.toString(counterKeys), dir.resolve("log" + w).toString()));
            }
            for (ChildJvm w : workers) {
                w.awaitSuccess(300);
                w.close();
            }
            Map<String, Cell> expected = expectedFromLogs(processes);
            Map<String, Cell> actual = new TreeMap<>();
            for (Map.Entry<String, Cell> e : map) actual.put(e.getKey(), e.getValue());
            assertEquals(expected, actual);
            for (int k = 0; k < chainKeys; k++) assertEquals(expected.get("k" + k), map.get("k" + k));
            assertEquals(expected.size(), map.size());
            assertEquals("", map.verifyTable());
            assertEquals(List.of(), map.locks());
            System.out.println(b + ": " + processes * ops + " operations by " + processes + " processes; final "
                    + expected.size() + " keys, exactly as the logs say");
        }
    }

    /** Replays the workers' logs: the value of every chain key nobody overwrote, and every counter's sum. */
    private Map<String, Cell> expectedFromLogs(int processes) throws IOException {
        Map<String, Set<String>> written = new HashMap<>();
        Map<String, Set<String>> overwritten = new HashMap<>();
        Map<String, Long> counters = new HashMap<>();
        for (int w = 1; w <= processes; w++) {
            for (String line : Files.readAllLines(dir.resolve("log" + w))) {
                String[] f = line.split(" ");
                switch (f[0]) {
                    case "A" -> counters.merge(f[1], Long.parseLong(f[2]), Long::sum);
                    case "P" -> {
                        written.computeIfAbsent(f[1], k -> new HashSet<>()).add(f[2]);
                        consume(overwritten, f[1], f[3], line);
                    }
                    case "I" -> {
                        if (f[3].equals("-")) written.computeIfAbsent(f[1], k -> new HashSet<>()).add(f[2]);
                    }
                    case "R" -> consume(overwritten, f[1], f[2], line);
                    default -> fail("bad log line " + line);
                }
            }
        }
        Map<String, Cell> expected = new TreeMap<>();
        counters.forEach((k, sum) -> expected.put(k, new Cell(0, 0, sum, "")));
        for (Map.Entry<String, Set<String>> e : written.entrySet()) {
            Set<String> gone = overwritten.getOrDefault(e.getKey(), Set.of());
            for (String id : gone) assertTrue(e.getValue().contains(id), e.getKey() + ": returned " + id + ", which nobody wrote");
            Set<String> live = new HashSet<>(e.getValue());
            live.removeAll(gone);
            assertTrue(live.size() <= 1, e.getKey() + ": values never overwritten: " + live);
            if (live.size() == 1) {
                String[] id = live.iterator().next().split(":");
                expected.put(e.getKey(), Cell.of(Long.parseLong(id[0]), Long.parseLong(id[1])));
            }
        }
        return expected;
    }

    private static void consume(Map<String, Set<String>> overwritten, String key, String id, String line) {
        if (id.equals("-")) return;
        assertTrue(overwritten.computeIfAbsent(key, k -> new HashSet<>()).add(id), "overwritten twice: " + line);
    }

    /**
     * A writer is killed in the middle of a write window 50 times: an in-place update, an insert, the first window of
     * a delete (its tombstone), a later window of a delete (a shift or the final emptying), an atomic add. While the
     * dead writer's window is open, every key reads as before it (the victim's operation is not visible), without a
     * lock; the next writer of the segment takes the lock over, undoes the window and sweeps, after which the table is
     * sound and holds exactly the model: the victim's operation is lost, or, when its delete had committed its first
     * window, finished.
     */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void aWriterKilledMidWriteLosesAtMostItsOwnOperation(Backend b) throws Exception {
        int capacity = 150, keys = 120, rounds = b == Backend.SHM ? 50 : 10;
        // one segment: every key shares the victim's lock, sequence word and clusters
        HashSpec<String, Cell> spec = HashCells.spec(dir, name, b, capacity, 1);
        Machine.require(b);
        SplittableRandom random = new SplittableRandom(42);
        try (SharedHashMap<String, Cell> map = SharedHashMap.create(spec)) {
            Map<String, Cell> model = new HashMap<>();
            for (int k = 0; k < keys; k++) {
                model.put("k" + k, Cell.of(1, k));
                map.put("k" + k, Cell.of(1, k));
            }
            int nextKey = keys, takeovers = 0;
            for (int round = 0; round < rounds; round++) {
                List<String> present = new ArrayList<>(new TreeMap<>(model).keySet());
                String victim = present.get(random.nextInt(present.size()));
                String op;
                int window = 1;
                switch (round % 5) {
                    case 0 -> op = "put";
                    case 1 -> {
                        op = "put";
                        victim = "k" + nextKey++;
                    }
                    case 2 -> op = "remove";
                    case 3 -> {
                        op = "remove";
                        window = 2;
                    }
                    default -> op = "add";
                }
                // on the kernel map, a delete has one step between lookup and delete
                if (b == Backend.BPF) window = 1;
                try (ChildJvm writer = TestJvm.start(HashPausedWriter.class, dir.toString(), name, b.name(),
                        Integer.toString(capacity), "1", Integer.toString(window), op, victim)) {
                    writer.awaitLine("paused mid-window", 30);
                    boolean deleteCommitted = op.equals("remove") && window == 2;
                    Map<String, Cell> before = new HashMap<>(model);
                    if (deleteCommitted) before.remove(victim);
                    String where = "round " + round + " (" + op + " " + victim + ", window " + window + ")";
                    assertReads(map, before, victim, where + ", writer paused");
                    writer.kill();
                    assertReads(map, before, victim, where + ", writer dead");
                    model = before;
                }
                // the next writer of the segment takes over the dead writer's lock and repairs the segment
                String probe = "k" + random.nextInt(keys);
                Cell v = Cell.of(2, round);
                map.put(probe, v);
                model.put(probe, v);
                takeovers++;
                assertEquals("", map.verifyTable(), "round " + round);
                assertReads(map, model, null, "round " + round + ", repaired");
                assertEquals(model.size(), map.size());
                assertEquals(0, map.stats().tombstones());
            }
            assertEquals(List.of(), map.locks());
            System.out.println(b + ": " + takeovers + " writers killed mid-write; every other key stayed readable and the"
                    + " map ended as the model");
        }
    }

    /** Every key of the model (and the victim, if it is not there) reads as the model says. */
    private static void assertReads(SharedHashMap<String, Cell> map, Map<String, Cell> model, String victim, String where) {
        for (Map.Entry<String, Cell> e : model.entrySet()) assertEquals(e.getValue(), map.get(e.getKey()), where + ": " + e.getKey());
        if (victim != null && !model.containsKey(victim)) assertEquals(null, map.get(victim), where + ": " + victim);
        Map<String, Cell> iterated = new HashMap<>();
        for (Map.Entry<String, Cell> e : map) iterated.put(e.getKey(), e.getValue());
        assertEquals(model, iterated, where + ": iteration");
    }
}
