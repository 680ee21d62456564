package dev.mapsync;

import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.testkit.CPrograms;
import dev.mapsync.testkit.PythonClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Hash maps between the Python client and the Java library (FORMAT.md §10): what Python puts, replaces and removes,
 * Java reads key by key, and what Java puts Python reads, iterates and removes.
 */
class PyHashInteropTest {
    /** A value: {@code a:i64,b:i64}. */
    public record Pair(long a, long b) {}

    @TempDir
    Path dir;

    private final String name = KernelAssumptions.uniqueName("pyh");

    private SharedHashMap<String, Pair> create() {
        return SharedHashMap.create(HashSpec.of(name, Codec.chars(8), Codec.record(Pair.class), 256).dir(dir));
    }

    @Test
    void javaReadsWhatPythonPutReplacedAndRemoved() {
        PythonClient.require();
        try (SharedHashMap<String, Pair> map = create()) {
            CPrograms.Result r = PythonClient.run(dir, "hash_ops", name, "write");
            assertEquals(0, r.exit(), r.err());
            assertEquals("size=50\n", r.out());
            assertEquals(50, map.size());
            assertEquals(new Pair(1000, 1), map.get("k0"));
            for (int i = 1; i < 100; i++) {
                if (i % 2 == 0) assertEquals(new Pair(i, -i), map.get("k" + i), "k" + i);
                else assertNull(map.get("k" + i), "k" + i);
            }
        }
    }

    @Test
    void pythonReadsIteratesAndRemovesWhatJavaPut() {
        PythonClient.require();
        try (SharedHashMap<String, Pair> map = create()) {
            Map<String, Pair> put = new TreeMap<>();
            for (int i = 0; i < 5; i++) put.put("j" + i, new Pair(i * 7, -i));
            put.forEach(map::put);
            CPrograms.Result r = PythonClient.run(dir, "hash_ops", name, "read");
            assertEquals(0, r.exit(), r.err());
            assertEquals("""
                    j0 0 0
                    j1 7 -1
                    j2 14 -2
                    j3 21 -3
                    j4 28 -4
                    j1 in=True j2={'a': 14, 'b': -2}
                    removed j1, size=4
                    """, r.out());
            assertNull(map.get("j1"));
            assertEquals(4, map.size());
            assertEquals(new Pair(28, -4), map.get("j4"));
        }
    }
}
