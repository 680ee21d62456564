package dev.mapsync;

import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.testkit.CPrograms;
import dev.mapsync.testkit.HashCells;
import dev.mapsync.testkit.HashCells.Cell;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hash map transactions between libmapsync and the Java library: a C process and a Java thread move one record
 * between two keys under both keys' locks while checkers in both languages read the two keys as one moment (C's
 * mapsync_hash_get_all, Java's getAll) and never see the record twice or not at all; and C's mapsync_hash_add and
 * Java's getAndAdd on one field at once lose no unit.
 */
class CHashTransactionTest {
    @TempDir
    Path dir;

    private final String name = KernelAssumptions.uniqueName("chtxn");
    /* a thread each: the common pool may have one, and a checker waiting on the movers must not hold it */
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    private CompletableFuture<CPrograms.Result> c(String... args) {
        List<String> command = new ArrayList<>(List.of(CPrograms.testProgram("hash_txn", Backend.SHM).toString(), name));
        command.addAll(List.of(args));
        return CompletableFuture.supplyAsync(() -> CPrograms.run(Map.of("MAPSYNC_DIR", dir.toString()), command), threads);
    }

    @Test
    void aRecordMovedUnderBothKeysLocksIsSeenExactlyOnceByCAndJava() throws Exception {
        int rounds = 3000;
        // two segments: "a" and "b" sit in one or two of them; either way both locks are taken in one order
        try (SharedHashMap<String, Cell> map = SharedHashMap.create(HashCells.spec(dir, name, Backend.SHM, 64, 2))) {
            map.put("a", new Cell(1, 0, 0, "rec"));
            CompletableFuture<CPrograms.Result> cChecker = c("check", "a", "b", "done");
            CompletableFuture<CPrograms.Result> cMover = c("move", "a", "b", String.valueOf(rounds));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong checked = new AtomicLong(), wrong = new AtomicLong();
            CompletableFuture<Void> javaChecker = CompletableFuture.runAsync(() -> {
                while (!stop.get()) {
                    Map<String, Cell> both = map.getAll(List.of("a", "b"));
                    checked.incrementAndGet();
                    if (both.size() != 1) wrong.incrementAndGet();
                }
            }, threads);
            for (int i = 0; i < rounds; i++) {
                try (LockGuard ignored = map.lockAll("a", "b")) {
                    String from = map.get("a") != null ? "a" : "b", to = from.equals("a") ? "b" : "a";
                    Cell c = map.get(from);
                    map.put(to, new Cell(c.writer(), c.seq(), c.counter() + 1, c.note()));
                    map.remove(from);
                }
            }
            CPrograms.Result moved = cMover.get();
            assertEquals("moved " + rounds + "\n", moved.out(), moved.err());
            map.put("done", Cell.of(0, 0));
            CPrograms.Result checks = cChecker.get();
            stop.set(true);
            javaChecker.get();
            assertTrue(checks.out().matches("checked [1-9][0-9]* twice 0 never 0\n"), checks.out() + checks.err());
            assertTrue(checked.get() > 0);
            assertEquals(0, wrong.get());
            Map<String, Cell> both = map.getAll(List.of("a", "b"));
            assertEquals(1, both.size());
            assertEquals(2L * rounds, both.values().iterator().next().counter()); // every move of both, none lost
        }
    }

    @Test
    void cAndJavaAddingToOneFieldAtOnceLoseNoUnit() throws Exception {
        int times = 20000;
        try (SharedHashMap<String, Cell> map = SharedHashMap.create(HashCells.spec(dir, name, Backend.SHM, 64, 2))) {
            CompletableFuture<CPrograms.Result> cAdds = c("add", "n", String.valueOf(times));
            for (int i = 0; i < times; i++) map.getAndAdd("n", "counter", 1);
            CPrograms.Result added = cAdds.get();
            assertEquals("added " + times + "\n", added.out(), added.err());
            assertEquals(new Cell(0, 0, 2L * times, ""), map.get("n"));
        }
    }
}
