package dev.mapsync;

import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.HashMover;
import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.MapDir;
import dev.mapsync.testkit.TestJvm;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Locks over hash map keys: lock, lockAll and getAll, in one process and across processes. */
class HashTransactionTest {
    @RegisterExtension
    final MapDir maps = new MapDir("t");
    private Path dir;
    private String name;

    @BeforeEach
    void setUp() {
        dir = maps.dir();
        name = maps.name();
    }

    /**
     * Records move between keys under lockAll in two processes while two other processes read every key with getAll:
     * every read sees each record exactly once, and at the end the map holds each record exactly once.
     */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void recordsMovedUnderLockAllAreNeverSeenTwiceOrMissingByGetAll(Backend b) throws Exception {
        Machine.require(b);
        int capacity = 64, segments = 8, keys = 48, records = 12, moves = b == Backend.SHM ? 20_000 : 3_000;
        Path done = dir.resolve("movers-done");
        try (SharedHashMap<String, Long> map = SharedHashMap.create(HashMover.spec(dir, name, b, capacity, segments))) {
            for (long r = 0; r < records; r++) map.put("k" + r * 4, r);
            List<String> common = List.of(dir.toString(), name, b.name(), Integer.toString(capacity),
                    Integer.toString(segments), Integer.toString(keys), Integer.toString(records));
            List<ChildJvm> checkers = new ArrayList<>(), movers = new ArrayList<>();
            for (int c = 0; c < 2; c++) checkers.add(start(common, "checker", done.toString(), "0"));
            for (int m = 0; m < 2; m++) movers.add(start(common, "mover", Integer.toString(17 + m), Integer.toString(moves)));
            long moved = 0;
            for (ChildJvm m : movers) {
                m.awaitSuccess(300);
                moved += Long.parseLong(m.output().strip().split(" ")[1]);
                m.close();
            }
            Files.createFile(done);
            long checks = 0;
            for (ChildJvm c : checkers) {
                c.awaitSuccess(300);
                String[] out = c.output().strip().split(" ");
                assertEquals("violations 0", out[2] + " " + out[3], "a getAll saw a record twice or missed one: " + c.output());
                checks += Long.parseLong(out[1]);
                c.close();
            }
            assertTrue(moved > 0 && checks >= 20, "moves " + moved + ", checks " + checks);
            TreeSet<Long> ids = new TreeSet<>();
            for (Map.Entry<String, Long> e : map) ids.add(e.getValue());
            assertEquals(records, map.size());
            assertEquals(records, ids.size());
            assertEquals(0L, ids.first());
            assertEquals(records - 1L, ids.last());
            assertEquals(List.of(), map.locks());
            System.out.println(b + ": " + moved + " moves by 2 processes under lockAll, " + checks
                    + " getAll reads by 2 processes, every record seen exactly once");
        }
    }

    private ChildJvm start(List<String> common, String mode, String arg, String count) {
        List<String> args = new ArrayList<>(common);
        args.addAll(List.of(mode, arg, count));
        return TestJvm.start(HashMover.class, args.toArray(String[]::new));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aLockedKeyMakesOtherThreadsWaitAndThisThreadsWritesGoThrough(Backend b) throws Exception {
        Machine.require(b);
        try (SharedHashMap<String, Long> map = SharedHashMap.create(HashMover.spec(dir, name, b, 64, 8))) {
            map.put("a", 1L);
            try (LockGuard guard = map.lock("a")) {
                assertFalse(guard.previousOwnerDied());
                map.put("a", map.get("a") + 1);         // runs under the lock this thread holds
                assertEquals(2L, map.getAndAdd("a", 10) );
                assertEquals(1, map.locks().size());
                LockTimeoutException waited = CompletableFuture.supplyAsync(() -> assertThrows(LockTimeoutException.class,
                        () -> map.lock("a", Duration.ofMillis(50)))).get(30, TimeUnit.SECONDS);
                assertTrue(waited.getMessage().startsWith("timed out after "), waited.getMessage());
                LockAlreadyHeldException again = assertThrows(LockAlreadyHeldException.class, () -> map.lock("a"));
                assertTrue(again.getMessage().startsWith("this thread already holds the lock of stripe "), again.getMessage());
                // a compute inside the guard runs under it, and a write from its function is still refused: the
                // compute is between its probe and its store
                assertThrows(LockAlreadyHeldException.class, () -> map.compute("a", (k, v) -> map.put("a", 0L)));
                assertEquals(13L, map.compute("a", (k, v) -> v + 1));
            }
            assertEquals(13L, map.get("a"));
            assertEquals(List.of(), map.locks());
            try (LockGuard ignored = CompletableFuture.supplyAsync(() -> map.lock("a")).get(30, TimeUnit.SECONDS)) {
                assertEquals(1, map.locks().size()); // another thread took it once it was free
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aWriteOfAKeyWhoseComputeIsInFlightIsRefusedAtAnyDepth(Backend b) {
        Machine.require(b);
        try (SharedHashMap<String, Long> map = SharedHashMap.create(HashMover.spec(dir, name, b, 64, 8))) {
            map.put("a", 1L);
            String other = keyOfAnotherSegmentThan(map, "a");
            // compute(a) runs compute(other) (another segment: allowed), whose function removes a: refused, since the
            // outer compute is between its probe and its store; nothing changes
            LockAlreadyHeldException e = assertThrows(LockAlreadyHeldException.class, () -> map.compute("a", (k, v) -> {
                map.compute(other, (k2, v2) -> {
                    map.remove("a");
                    return 7L;
                });
                return 100L;
            }));
            assertTrue(e.getMessage().startsWith("this thread already holds the lock of stripe "), e.getMessage());
            assertEquals(1L, map.get("a"));
            assertEquals(null, map.get(other));
            assertEquals(1, map.size());
            try (LockGuard ignored = map.lock("a")) { // the same under a guard
                assertThrows(LockAlreadyHeldException.class, () -> map.compute("a", (k, v) -> {
                    map.compute(other, (k2, v2) -> {
                        map.put("a", 5L);
                        return 7L;
                    });
                    return 100L;
                }));
            }
            assertEquals(1L, map.get("a"));
            assertEquals(List.of(), map.locks());
        }
    }

    @Test
    // in a thread of its own: a close that waited for the close waiting for it would never end, interrupted or not
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aGuardClosedByAnotherThreadWaitsForTheWriteThatRunsUnderIt() throws Exception {
        try (SharedHashMap<String, Long> map = SharedHashMap.create(HashMover.spec(dir, name, Backend.SHM, 64, 8))) {
            map.put("a", 1L);
            java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch finish = new java.util.concurrent.CountDownLatch(1);
            LockGuard guard = map.lock("a");
            Thread closer = Thread.ofPlatform().unstarted(() -> {
                try {
                    inside.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                guard.close();
            });
            closer.start();
            map.compute("a", (k, v) -> {
                inside.countDown();
                // the closer now waits for this write: wait until it does, then hold it there no longer
                while (closer.getState() != Thread.State.WAITING) Thread.onSpinWait();
                assertEquals(1, map.locks().size(), "the lock is still held while the compute runs under it");
                // a close of its own from inside the write the other close waits for is refused, as it is alone
                assertEquals("a lock guard of map '" + name + "' cannot be closed inside an operation that runs"
                        + " under it", assertThrows(IllegalStateException.class, guard::close).getMessage());
                finish.countDown();
                return v + 1;
            });
            closer.join(30_000);
            assertFalse(closer.isAlive());
            assertEquals(2L, map.get("a"));
            assertEquals(List.of(), map.locks());
            IllegalStateException inner = assertThrows(IllegalStateException.class, () -> {
                try (LockGuard g = map.lock("a")) {
                    map.compute("a", (k, v) -> {
                        g.close();
                        return v;
                    });
                }
            });
            assertEquals("a lock guard of map '" + name + "' cannot be closed inside an operation that runs under it",
                    inner.getMessage());
            assertEquals(List.of(), map.locks());
        }
    }

    /** A key whose lock is not the lock of {@code key}, found by asking which stripe each one locks. */
    private static String keyOfAnotherSegmentThan(SharedHashMap<String, Long> map, String key) {
        int stripe;
        try (LockGuard ignored = map.lock(key)) {
            stripe = map.locks().getFirst().stripe();
        }
        for (int i = 0; ; i++) {
            try (LockGuard ignored = map.lock("b" + i)) {
                if (map.locks().getFirst().stripe() != stripe) return "b" + i;
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void getAllKeepsTheOrderOfItsKeysAndLeavesOutAbsentOnes(Backend b) {
        Machine.require(b);
        try (SharedHashMap<String, Long> map = SharedHashMap.create(HashMover.spec(dir, name, b, 64, 8))) {
            map.put("x", 1L);
            map.put("y", 2L);
            Map<String, Long> expected = new LinkedHashMap<>();
            expected.put("y", 2L);
            expected.put("x", 1L);
            assertEquals(List.copyOf(expected.entrySet()), List.copyOf(map.getAll(List.of("y", "nope", "x")).entrySet()));
            try (LockGuard ignored = map.lockAll("x", "y", "x")) {  // a key twice, or two keys of one segment: one lock
                map.remove("x");
            }
            assertEquals(Map.of("y", 2L), map.getAll(List.of("x", "y")));
            assertEquals(List.of(), map.locks());
        }
    }

    @Test
    void aReadOnlyHandleTakesNoLocks() {
        try (SharedHashMap<String, Long> map = SharedHashMap.create(HashMover.spec(dir, name, Backend.SHM, 64, 8));
             SharedHashMap<String, Long> reader = SharedHashMap.openReadOnly(HashMover.spec(dir, name, Backend.SHM, 64, 8))) {
            map.put("a", 1L);
            assertEquals("map '" + name + "' is open read-only; it cannot take locks",
                    assertThrows(MapAccessDeniedException.class, () -> reader.lock("a")).getMessage());
            assertEquals("map '" + name + "' is open read-only; it cannot take locks",
                    assertThrows(MapAccessDeniedException.class, () -> reader.getAll(List.of("a"))).getMessage());
            assertEquals(1L, reader.get("a"));
        }
    }
}
