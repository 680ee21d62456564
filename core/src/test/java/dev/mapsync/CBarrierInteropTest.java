package dev.mapsync;

import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.BarrierChild;
import dev.mapsync.testkit.CPrograms;
import dev.mapsync.testkit.TestJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Barriers between libmapsync and the Java library (FORMAT.md §9): a C process is one party of a barrier with a Java
 * process and the test's own thread, generation after generation; and when a Java party dies while the C party waits,
 * the C party finds the barrier broken and says who died.
 */
class CBarrierInteropTest {
    @TempDir
    Path dir;

    private final String name = KernelAssumptions.uniqueName("cbar");

    private Process party(String rounds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(CPrograms.testProgram("barrier_party", Backend.SHM).toString(), name, rounds)
                .redirectErrorStream(true);
        pb.environment().put("MAPSYNC_DIR", dir.toString());
        Process p = pb.start();
        p.getOutputStream().close();
        return p;
    }

    @Test
    void aCPartyMeetsJavaPartiesGenerationAfterGeneration() throws Exception {
        try (SharedBarrier barrier = SharedBarrier.create(MapSpec.barrier(name, 3).dir(dir));
             ChildJvm java = TestJvm.start(BarrierChild.class, dir.toString(), name, "3", "5", "then-await")) {
            Process c = party("5");
            try {
                for (long g = 0; g < 6; g++) assertEquals(g, barrier.await(Duration.ofSeconds(60)));
                assertTrue(c.waitFor(30, TimeUnit.SECONDS));
                java.awaitSuccess(30);
                String out = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals("generations=5 mismatches=0\nwaiting\ntripped 5\n", out);
                assertEquals(0, c.exitValue());
                assertEquals("generations=5 mismatches=0\nwaiting\ntripped 5", java.output().strip());
            } finally {
                c.destroyForcibly();
            }
        }
    }

    @Test
    void aCPartyFindsTheBarrierBrokenWhenAJavaPartyDies() throws Exception {
        try (SharedBarrier barrier = SharedBarrier.create(MapSpec.barrier(name, 3).dir(dir));
             ChildJvm java = TestJvm.start(BarrierChild.class, dir.toString(), name, "3", "1", "then-hang")) {
            Process c = party("1");
            try {
                assertEquals(0, barrier.await(Duration.ofSeconds(60)));
                java.awaitLine("hanging", 30);
                BufferedReader out = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8));
                assertEquals("generations=1 mismatches=0", out.readLine());
                assertEquals("waiting", out.readLine());
                long pid = java.pid();
                java.kill();
                assertEquals("broken: barrier " + name + " is broken: party pid " + pid + " died (or closed the barrier)"
                        + " while 1 of 3 parties waited at generation 1; reset it to use it again", out.readLine());
                assertTrue(c.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, c.exitValue());
                BarrierBrokenException e = assertThrows(BarrierBrokenException.class, () -> barrier.await(Duration.ofSeconds(10)));
                assertTrue(e.getMessage().contains("party pid " + pid + " died"), e.getMessage());
            } finally {
                c.destroyForcibly();
            }
        }
    }
}
