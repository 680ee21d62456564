package dev.mapsync;

import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.testkit.PythonClient;
import dev.mapsync.testkit.PythonClient.Script;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Barriers between the Python client and the Java library (FORMAT.md §9): a Python party meets a Java one,
 * generation after generation. */
class PyBarrierInteropTest {
    @TempDir
    Path dir;

    private final String name = KernelAssumptions.uniqueName("pyb");

    @Test
    void aPythonPartyMeetsAJavaPartyGenerationAfterGeneration() throws Exception {
        PythonClient.require();
        try (SharedBarrier barrier = SharedBarrier.create(MapSpec.barrier(name, 2).dir(dir));
             Script py = PythonClient.start(dir, "barrier", name, 5)) {
            for (long g = 0; g < 5; g++) assertEquals(g, barrier.await(Duration.ofSeconds(60)));
            assertEquals("generations=0,1,2,3,4\n", py.awaitSuccess(60));
        }
    }
}
