package dev.mapsync;

import dev.mapsync.internal.sys.Proc;
import dev.mapsync.testkit.TestDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The barrier in one process, each party a handle of its own (as each process has): generations, breaking, reset. */
class BarrierTest {
    // every party needs a thread of its own (the common pool has one thread on a 2-CPU machine)
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private Path dir;
    private String name;

    @BeforeEach
    void setUp() {
        dir = TestDirs.create();
        name = "b" + Long.toHexString(System.nanoTime());
    }

    @AfterEach
    void tearDown() {
        threads.shutdownNow();
        TestDirs.delete(dir);
    }

    private BarrierSpec spec(int parties) {
        return MapSpec.barrier(name, parties).dir(dir);
    }

    /** Awaits {@code rounds} times on a new handle, in another thread; the future holds the generations. */
    private CompletableFuture<List<Long>> party(int parties, int rounds, Duration timeout) {
        return CompletableFuture.supplyAsync(() -> {
            try (SharedBarrier b = SharedBarrier.open(spec(parties))) {
                List<Long> gens = new ArrayList<>();
                for (int i = 0; i < rounds; i++) gens.add(b.await(timeout));
                return gens;
            }
        }, threads);
    }

    private static Throwable failure(CompletableFuture<?> f) {
        try {
            f.join();
            return null;
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause();
        }
    }

    @Test
    void partiesTripGenerationAfterGeneration() {
        try (SharedBarrier mine = SharedBarrier.create(spec(3))) {
            CompletableFuture<List<Long>> a = party(3, 200, Duration.ofSeconds(30));
            CompletableFuture<List<Long>> b = party(3, 200, Duration.ofSeconds(30));
            List<Long> expected = new ArrayList<>();
            for (long g = 0; g < 200; g++) {
                expected.add(g);
                assertEquals(g, mine.await(Duration.ofSeconds(30)));
            }
            assertEquals(expected, a.join());
            assertEquals(expected, b.join());
            BarrierStatus s = mine.status();
            assertEquals(200, s.generation());
            assertEquals(0, s.arrived());
            assertFalse(s.broken());
            assertEquals(3, s.parties());
        }
    }

    @Test
    void aTimeoutBreaksTheBarrierForTheOthersUntilReset() {
        try (SharedBarrier mine = SharedBarrier.create(spec(3))) {
            CompletableFuture<List<Long>> other = party(3, 1, Duration.ofSeconds(30));
            while (mine.status().arrived() < 1) Thread.onSpinWait();
            WaitTimeoutException timedOut = assertThrows(WaitTimeoutException.class, () -> mine.await(Duration.ofMillis(150)));
            assertEquals("timed out after 150 ms at barrier '" + name + "', generation 0: 2 of 3 parties had arrived;"
                    + " the barrier is now broken for the others", timedOut.getMessage());
            String reason = "barrier '" + name + "' is broken: party pid " + Proc.PID + " timed out while 2 of 3 parties"
                    + " waited at generation 0; reset it to use it again";
            Throwable seen = failure(other);
            assertTrue(seen instanceof BarrierBrokenException, String.valueOf(seen));
            assertEquals(reason, seen.getMessage());
            assertEquals(0, ((BarrierBrokenException) seen).generation());
            assertEquals(reason, assertThrows(BarrierBrokenException.class, () -> mine.await(Duration.ofSeconds(1))).getMessage());
            assertEquals(reason, mine.status().brokenReason().orElseThrow());
            mine.reset();
            BarrierStatus s = mine.status();
            assertFalse(s.broken());
            assertEquals(1, s.generation());
            CompletableFuture<List<Long>> a = party(3, 1, Duration.ofSeconds(30));
            CompletableFuture<List<Long>> b = party(3, 1, Duration.ofSeconds(30));
            assertEquals(1, mine.await(Duration.ofSeconds(30)));
            assertEquals(List.of(1L), a.join());
            assertEquals(List.of(1L), b.join());
        }
    }

    @Test
    void resetWhilePartiesWaitBreaksTheirGeneration() {
        try (SharedBarrier mine = SharedBarrier.create(spec(2))) {
            CompletableFuture<List<Long>> waiting = party(2, 1, Duration.ofSeconds(30));
            while (mine.status().arrived() < 1) Thread.onSpinWait();
            mine.reset();
            Throwable seen = failure(waiting);
            assertTrue(seen instanceof BarrierBrokenException, String.valueOf(seen));
            assertEquals("barrier '" + name + "' is broken: it was reset by pid " + Proc.PID + " while 1 of 2 parties"
                    + " waited at generation 0; reset it to use it again", seen.getMessage());
            assertFalse(mine.status().broken(), "the new generation is whole");
            assertEquals(1, mine.status().generation());
        }
    }

    @Test
    void aHandleIsOnePartyAndSeatsRunOut() {
        try (SharedBarrier first = SharedBarrier.create(spec(2));
             SharedBarrier second = SharedBarrier.open(spec(2));
             SharedBarrier third = SharedBarrier.open(spec(2))) {
            CompletableFuture<Long> a = CompletableFuture.supplyAsync(() -> first.await(Duration.ofSeconds(30)), threads);
            assertEquals(0, second.await(Duration.ofSeconds(30)));
            assertEquals(0, a.join());
            MapSyncException e = assertThrows(MapSyncException.class, () -> third.await(Duration.ofSeconds(1)));
            assertEquals("barrier '" + name + "' has its 2 parties already (pids [" + Proc.PID + ", " + Proc.PID + "]);"
                    + " a process becomes a party at its first await and stays one until it closes the barrier",
                    e.getMessage());
            assertEquals(2, first.status().seated().size());
            second.close();
            CompletableFuture<Long> b = CompletableFuture.supplyAsync(() -> first.await(Duration.ofSeconds(30)), threads);
            assertEquals(1, third.await(Duration.ofSeconds(30)), "a closed party's seat is free for a new one");
            assertEquals(1, b.join());
        }
    }

    /**
     * A handle closed while its thread waits at the barrier frees its seat, but its arrival was counted: a party that
     * took the freed seat and arrived would trip the generation one live party short (here the party still at work).
     * Closing breaks the generation instead, as a party that died while others waited would.
     */
    @Test
    void aHandleClosedWhileItsThreadWaitsBreaksTheGenerationItArrivedIn() throws Exception {
        try (SharedBarrier atWork = SharedBarrier.create(spec(3)); SharedBarrier other = SharedBarrier.open(spec(3))) {
            atWork.join();
            other.join();
            SharedBarrier closing = SharedBarrier.open(spec(3));
            CompletableFuture<Long> waiting = CompletableFuture.supplyAsync(() -> closing.await(Duration.ofSeconds(30)), threads);
            while (atWork.status().arrived() < 1) Thread.sleep(5);
            closing.close();
            String expected = "barrier '" + name + "' is broken: party pid " + Proc.PID + " died (or closed the barrier)"
                    + " while 1 of 3 parties waited at generation 0; reset it to use it again";
            assertEquals(expected, atWork.status().brokenReason().orElse("(not broken)"));
            // its own thread leaves the barrier without passing it: broken, or closed if the unmapping came first
            assertTrue(Set.of(BarrierBrokenException.class, MapClosedException.class).contains(failure(waiting).getClass()),
                    () -> String.valueOf(failure(waiting)));
            try (SharedBarrier newcomer = SharedBarrier.open(spec(3))) {
                newcomer.join(); // the freed seat
                assertEquals(expected, assertThrows(BarrierBrokenException.class,
                        () -> other.await(Duration.ofSeconds(5))).getMessage());
            }
        }
    }

    @Test
    void barriersAreRefusedWhereTheyDoNotBelong() {
        IllegalArgumentException bpf = assertThrows(IllegalArgumentException.class,
                () -> MapSpec.barrier("b", 2).backend(Backend.BPF));
        assertEquals("a barrier lives in shared memory only: its waiters sleep on futex words, which the kernel refuses"
                + " on BPF map memory", bpf.getMessage());
        assertEquals("a barrier has 1 to 1024 parties, not 0",
                assertThrows(IllegalArgumentException.class, () -> MapSpec.barrier("b", 0)).getMessage());
        try (SharedBarrier ignored = SharedBarrier.create(spec(4))) {
            IncompatibleMapException parties = assertThrows(IncompatibleMapException.class, () -> SharedBarrier.open(spec(3)));
            assertEquals("map '" + name + "' does not match the spec: parties: file has 4, spec asks 3"
                    + SharedArrayTest.TO_GO_ON, parties.getMessage());
            IncompatibleMapException ring = assertThrows(IncompatibleMapException.class,
                    () -> SharedRing.open(MapSpec.existing(name).dir(dir)));
            assertEquals("map '" + name + "' is a barrier map, not a ring map; open it with SharedBarrier", ring.getMessage());
            assertThrows(IncompatibleMapException.class, () -> SharedArray.open(MapSpec.existing(name).dir(dir)));
            MapInfo info = SharedMaps.info(MapSpec.existing(name).dir(dir));
            assertEquals(MapType.BARRIER, info.type());
            assertEquals(4, info.entries());
            assertEquals(null, info.valueSchema());
        }
        SharedBarrier closed = SharedBarrier.open(MapSpec.existing(name).dir(dir));
        closed.close();
        assertEquals("barrier '" + name + "' is closed",
                assertThrows(MapClosedException.class, () -> closed.await(Duration.ofSeconds(1))).getMessage());
    }
}
