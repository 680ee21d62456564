package dev.mapsync;

import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.testkit.CPrograms;
import dev.mapsync.testkit.PythonClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hash map transactions between the Python client and the Java library: Python moves a record between two keys
 * under lock_all of both while Java reads the two with getAll, and never sees the record twice or not at all.
 */
class PyHashTransactionTest {
    /** A value: {@code a:i64,b:i64}; b counts the moves. */
    public record Pair(long a, long b) {}

    @TempDir
    Path dir;

    private final String name = KernelAssumptions.uniqueName("pyht");

    @Test
    void aRecordPythonMovesUnderLockAllIsSeenExactlyOnceByGetAll() throws Exception {
        PythonClient.require();
        int rounds = 1000;
        PythonClient.require(); // here, where a missing Python skips the test
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try (SharedHashMap<String, Pair> map = SharedHashMap.create(
                HashSpec.of(name, Codec.chars(8), Codec.record(Pair.class), 64).segments(2).dir(dir))) {
            map.put("a", new Pair(9, 0));
            CompletableFuture<CPrograms.Result> mover =
                    CompletableFuture.supplyAsync(() -> PythonClient.run(dir, "hash_move", name, rounds), thread);
            long checked = 0, wrong = 0;
            while (!mover.isDone()) {
                Map<String, Pair> both = map.getAll(List.of("a", "b"));
                checked++;
                if (both.size() != 1) wrong++;
            }
            CPrograms.Result r = mover.get();
            assertEquals("moved " + rounds + "\n", r.out(), r.err());
            assertTrue(checked > 0);
            assertEquals(0, wrong);
            Map<String, Pair> both = map.getAll(List.of("a", "b"));
            assertEquals(List.of(new Pair(9, rounds)), List.copyOf(both.values()));
        } finally {
            thread.shutdownNow();
        }
    }
}
