package dev.mapsync;

import dev.mapsync.internal.store.Bpffs;
import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.testkit.CPrograms;
import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.PythonClient;
import dev.mapsync.testkit.PythonClient.Script;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bpf hash maps between the Python client (its libmapsync built with libbpf) and the Java library (FORMAT.md §10.8):
 * what Python puts, replaces, adds to and removes in a Java-made kernel hash map, plain and with spin-locked values,
 * Java reads and a Java subscriber sees, every change once and in order; what Java puts Python reads and removes;
 * and Python's adds and Java's getAndAdd on the same keys at once lose none.
 */
class PyBpfHashInteropTest {
    /** A value: {@code a:i64,b:i64}. */
    public record Pair(long a, long b) {}

    @TempDir
    Path dir;

    @RegisterExtension
    final KernelAssumptions.Pins pins = new KernelAssumptions.Pins();

    private final String name = KernelAssumptions.uniqueName("pybh");

    @BeforeEach
    void needsBpfAndPython() {
        Machine.requireBpf();
        Machine.requireLibbpf(); // pip builds the package's libmapsync with libbpf when the compiler finds it
        PythonClient.require();
    }

    private SharedHashMap<String, Pair> create(boolean spinLock) {
        pins.track(Bpffs.defaultPin(name));
        return SharedHashMap.create(HashSpec.of(name, Codec.chars(8), Codec.record(Pair.class), 256).segments(8)
                .backend(Backend.BPF).spinLock(spinLock).dir(dir));
    }

    @Test
    void pythonWritesToAKernelHashMapAreWhatJavaReadsAndWatches() throws Exception {
        pythonWritesAreWhatJavaReadsAndWatches(false);
    }

    @Test
    void pythonWritesToSpinLockedValuesAreWhatJavaReadsAndWatches() throws Exception {
        pythonWritesAreWhatJavaReadsAndWatches(true);
    }

    private void pythonWritesAreWhatJavaReadsAndWatches(boolean spinLock) throws Exception {
        try (SharedHashMap<String, Pair> map = create(spinLock); KeyChangeCursor<String> cursor = map.changes()) {
            CPrograms.Result r = PythonClient.run(dir, "hash_ops", name, "write");
            assertEquals("size=50\n", r.out(), r.err());
            CPrograms.Result added = PythonClient.run(dir, "hash_add", name, "b", 5, 1, "k0", "n0");
            assertEquals("added 2\n", added.out(), added.err());
            assertEquals(51, map.size());
            assertEquals(new Pair(1000, 6), map.get("k0"));
            assertEquals(new Pair(0, 5), map.get("n0"));
            for (int i = 1; i < 100; i++) {
                if (i % 2 == 0) assertEquals(new Pair(i, -i), map.get("k" + i), "k" + i);
                else assertNull(map.get("k" + i), "k" + i);
            }
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 100; i++) expected.add("PUT k" + i);
            for (int i = 1; i < 100; i += 2) expected.add("REMOVE k" + i);
            expected.addAll(List.of("PUT k0", "ADD k0", "ADD n0"));
            List<String> seen = new ArrayList<>();
            while (seen.size() < expected.size()) {
                List<KeyChangeEvent<String>> got = cursor.poll(Duration.ofSeconds(10));
                assertTrue(!got.isEmpty(), "changes stopped after " + seen.size() + ": " + seen);
                for (KeyChangeEvent<String> e : got) {
                    seen.add(e instanceof KeyChange<String> k ? k.kind() + " " + k.key() : e.toString());
                }
            }
            assertEquals(expected, seen);
            assertTrue(cursor.poll(Duration.ZERO).isEmpty(), "no change beyond Python's");
        }
    }

    @Test
    void pythonReadsIteratesAndRemovesWhatJavaPut() {
        try (SharedHashMap<String, Pair> map = create(true)) {
            for (int i = 0; i < 5; i++) map.put("j" + i, new Pair(i * 7, -i));
            CPrograms.Result r = PythonClient.run(dir, "hash_ops", name, "read");
            assertEquals("""
                    j0 0 0
                    j1 7 -1
                    j2 14 -2
                    j3 21 -3
                    j4 28 -4
                    j1 in=True j2={'a': 14, 'b': -2}
                    removed j1, size=4
                    """, r.out(), r.err());
            assertNull(map.get("j1"));
            assertEquals(4, map.size());
        }
    }

    @Test
    void pythonAndJavaAddingToTheSameKeysAtOnceLoseNoAdd() throws Exception {
        int rounds = 500;
        for (boolean spinLock : new boolean[]{false, true}) {
            try (SharedHashMap<String, Pair> map = create(spinLock);
                 Script py = PythonClient.start(dir, "hash_add", name, "a", 1, rounds, "c0", "c1", "c2", "c3")) {
                long javaRounds = 0;
                // Java adds until Python is done, so that the two overlap however long Python takes to start
                while (py.process().isAlive() || javaRounds < rounds) {
                    for (int i = 0; i < 4; i++) map.getAndAdd("c" + i, "a", 1000);
                    javaRounds++;
                }
                assertEquals("added " + 4 * rounds + "\n", py.awaitSuccess(60));
                for (int i = 0; i < 4; i++) {
                    assertEquals(new Pair(rounds + 1000 * javaRounds, 0), map.get("c" + i), "c" + i + ", spin lock " + spinLock);
                }
            }
            SharedMaps.delete(MapSpec.existing(name).dir(dir).backend(Backend.BPF));
        }
    }
}
