package dev.mapsync;

import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.testkit.CPrograms;
import dev.mapsync.testkit.PythonClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Maps the Python client creates (mapsync.create_array, create_hash) are the maps Java creates: Java opens them with
 * the specs that would have created them, every default spelled out, reads what Python wrote, and writes.
 */
class PyCreateInteropTest {
    /** A value: {@code a:i64,b:i64}. */
    public record Pair(long a, long b) {}

    @TempDir
    Path dir;

    private final String name = KernelAssumptions.uniqueName("pycreate");

    @Test
    void javaOpensAndUsesTheArrayAndHashMapPythonCreated() {
        PythonClient.require();
        CPrograms.Result r = PythonClient.run(dir, "create_maps", name);
        assertEquals(0, r.exit(), r.err());
        assertEquals("made\n", r.out());
        try (SharedArray<Pair> array = SharedArray.open(MapSpec.array(name + "-array", Pair.class, 8).dir(dir)
                .lockStripes(8).changelogCapacity(4096));
             SharedHashMap<Long, Long> hash = SharedHashMap.open(HashSpec.of(name + "-hash", Codec.u64(), Codec.i64(), 100)
                     .dir(dir).segments(1).changelogCapacity(4096))) {
            for (int i = 0; i < 8; i++) assertEquals(new Pair(i, -i), array.get(i));
            array.set(0, new Pair(7, 7));
            assertEquals(new Pair(7, 7), array.get(0));
            assertEquals(5, hash.size());
            for (long k = 1; k <= 5; k++) assertEquals(k * 11, hash.get(k));
            assertNull(hash.get(6L));
            hash.set(6L, 66L);
            assertEquals(66L, hash.get(6L));
        }
    }
}
