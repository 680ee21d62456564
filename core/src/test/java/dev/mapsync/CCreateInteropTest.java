package dev.mapsync;

import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.testkit.CPrograms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Maps libmapsync creates (mapsync_create) are the maps Java creates: Java opens each with the spec that would have
 * created it, every default spelled out (the open checks every header field against it, and the geometry its kind
 * implies), and uses it: the array's values and the hash map's entry C wrote, the records C put in its queue, and a
 * barrier of two parties met by C and by Java.
 */
class CCreateInteropTest {
    @TempDir
    Path dir;

    private final String name = KernelAssumptions.uniqueName("ccreate");

    @Test
    void javaOpensAndUsesEveryKindOfMapACProgramCreated() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(CPrograms.testProgram("create_maps", Backend.SHM).toString(), name)
                .redirectErrorStream(true);
        pb.environment().put("MAPSYNC_DIR", dir.toString());
        Process c = pb.start();
        c.getOutputStream().close();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("made", out.readLine());
            try (SharedArray<Long> array = SharedArray.open(MapSpec.array(name + "-array", Codec.i64(), 8).dir(dir)
                    .lockStripes(8).changelogCapacity(4096));
                 SharedHashMap<Long, Long> hash = SharedHashMap.open(HashSpec.of(name + "-hash", Codec.u64(),
                         Codec.i64(), 100).dir(dir).segments(1).changelogCapacity(4096));
                 SharedQueue<Long> queue = SharedQueue.open(MapSpec.queue(name + "-queue", Codec.u64(), 100).dir(dir));
                 SharedBarrier barrier = SharedBarrier.open(MapSpec.barrier(name + "-barrier", 2).dir(dir))) {
                for (int i = 0; i < 8; i++) assertEquals(10L * i + 1, array.get(i));
                assertEquals(70L, hash.get(7L));
                assertNull(hash.get(8L));
                hash.set(8L, 80L);
                assertEquals(80L, hash.get(8L));
                assertEquals(256L, queue.capacityValues()); // 4096 bytes of 16-byte records
                for (long v = 1; v <= 3; v++) assertEquals(v, queue.poll(Duration.ofSeconds(10)));
                assertNull(queue.poll());
                assertEquals(0, barrier.await(Duration.ofSeconds(60)));
            }
            assertEquals("tripped 0", out.readLine());
            assertTrue(c.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, c.exitValue());
        } finally {
            c.destroyForcibly();
        }
    }
}
