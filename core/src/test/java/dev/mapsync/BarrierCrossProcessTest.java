package dev.mapsync;

import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.BarrierChild;
import dev.mapsync.testkit.TestDirs;
import dev.mapsync.testkit.TestJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A barrier between separate JVM processes: a thousand generations, then a party killed while the others wait, and a
 * party killed while it waits alone, whose seat is taken before anyone could notice.
 */
class BarrierCrossProcessTest {
    private Path dir;
    private String name;

    @BeforeEach
    void setUp() {
        dir = TestDirs.create();
        name = "b" + Long.toHexString(System.nanoTime());
    }

    @AfterEach
    void tearDown() {
        TestDirs.delete(dir);
    }

    @Test
    void fourProcessesMeetAThousandTimesThenTheOthersBreakWhenOneIsKilled() throws Exception {
        int parties = 4, rounds = 1000;
        try (SharedBarrier barrier = SharedBarrier.create(MapSpec.barrier(name, parties).dir(dir))) {
            List<ChildJvm> children = new ArrayList<>();
            long start = System.nanoTime();
            for (int p = 0; p < parties; p++) {
                children.add(TestJvm.start(BarrierChild.class, dir.toString(), name, Integer.toString(parties),
                        Integer.toString(rounds), p == parties - 1 ? "then-hang" : "then-await"));
            }
            try {
                for (ChildJvm c : children) c.awaitLine("generations=1000 mismatches=0", 300);
                double seconds = (System.nanoTime() - start) / 1e9;
                ChildJvm victim = children.getLast();
                victim.awaitLine("hanging", 60);
                for (ChildJvm c : children.subList(0, parties - 1)) c.awaitLine("waiting", 60);
                while (barrier.status().arrived() < parties - 1) Thread.sleep(5);
                assertEquals(rounds, barrier.status().generation());
                long killedPid = victim.pid();
                long killed = System.nanoTime();
                victim.kill();
                List<Long> breakMillis = new ArrayList<>();
                String expected = "BarrierBrokenException: barrier '" + name + "' is broken: party pid " + killedPid
                        + " died (or closed the barrier) while 3 of 4 parties waited at generation 1000; reset it to"
                        + " use it again";
                for (ChildJvm c : children.subList(0, parties - 1)) {
                    c.awaitSuccess(60);
                    breakMillis.add((System.nanoTime() - killed) / 1_000_000);
                    List<String> lines = c.output().strip().lines().toList();
                    assertEquals(expected, lines.getLast());
                }
                System.out.printf("4 party JVMs met %d times (%.1f s, JVM start included); after one was killed the"
                        + " others broke within %s ms of the kill%n", rounds, seconds, breakMillis);
                BarrierStatus status = barrier.status();
                assertTrue(status.broken());
                assertEquals(expected.substring("BarrierBrokenException: ".length()), status.brokenReason().orElseThrow());
                BarrierBrokenException again = assertThrows(
                        BarrierBrokenException.class, () -> barrier.await(Duration.ofSeconds(1)));
                assertEquals(expected.substring("BarrierBrokenException: ".length()), again.getMessage());
                barrier.reset();
                assertFalse(barrier.status().broken());
                assertEquals(rounds + 1, barrier.status().generation());
                assertEquals(List.of(), barrier.status().seated().stream().filter(p -> !p.alive()).toList(),
                        "reset frees the dead party's seat");
            } finally {
                for (ChildJvm c : children) c.close();
            }
        }
    }

    /**
     * A party that dies while it waits alone leaves its arrival counted, and no one waits to find its seat's holder
     * gone. If a replacement took that seat and arrived as if nothing had happened, the dead party's arrival and the
     * replacement's would count twice, and the generation would trip one live party short: here the third party,
     * still at work. Taking the seat of a dead party that may have arrived breaks the generation instead, as a waiter
     * that found the seat's holder gone would have.
     */
    @Test
    void aPartyKilledWhileItWaitsAloneBreaksTheGenerationWhenItsSeatIsTakenOver() throws Exception {
        BarrierSpec spec = MapSpec.barrier(name, 3).dir(dir);
        try (SharedBarrier atWork = SharedBarrier.create(spec);
             SharedBarrier other = SharedBarrier.open(spec);
             ChildJvm alone = TestJvm.start(BarrierChild.class, dir.toString(), name, "3", "0", "then-await")) {
            atWork.join(); // two parties that have not arrived yet
            other.join();
            alone.awaitLine("waiting", 60);
            while (atWork.status().arrived() < 1) Thread.sleep(5);
            long dead = alone.pid();
            alone.kill();
            try (SharedBarrier replacement = SharedBarrier.open(spec)) {
                replacement.join(); // the dead party's seat: the only one left
                String expected = "barrier '" + name + "' is broken: party pid " + dead + " died (or closed the barrier)"
                        + " while 1 of 3 parties waited at generation 0; reset it to use it again";
                assertEquals(expected, atWork.status().brokenReason().orElse("(not broken)"));
                assertEquals(expected, assertThrows(BarrierBrokenException.class,
                        () -> replacement.await(Duration.ofSeconds(5))).getMessage());
                assertEquals(expected, assertThrows(BarrierBrokenException.class,
                        () -> other.await(Duration.ofSeconds(5))).getMessage());
                atWork.reset();
                assertEquals(List.of(true, true, true),
                        atWork.status().seated().stream().map(BarrierStatus.Party::alive).toList());
            }
        }
    }
}
