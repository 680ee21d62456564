package dev.mapsync.cli.demo;

import dev.mapsync.Backend;
import dev.mapsync.SharedArray;
import dev.mapsync.cli.CommandFailure;
import dev.mapsync.testkit.Await;
import dev.mapsync.testkit.MapDir;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A demo phase whose worker dies ends, failed, instead of waiting for it for ever; and a phase waits for all its
 * workers to finish, not the first.
 */
class WorkerDeathTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    @RegisterExtension
    final MapDir maps = new MapDir("wd");
    private Path dir;

    @BeforeEach
    void setUp() {
        dir = maps.dir();
    }

    @Test
    void aWorkerThatExitsBeforeItIsReadyStopsTheStart() {
        String name = "gate";
        try (SharedArray<Long> counters = SharedArray.create(CounterPhase.spec(name, dir, Backend.SHM, 1));
             Workers workers = new Workers(Workers.PHASE_LIMIT);
             StartGate gate = StartGate.create(name, dir, 2)) {
            // one party arrives and waits for the go; the other fails at once
            workers.start("watcher", name, dir.toString(), "SHM", "1");
            Process failing = workers.start("no-such-phase");
            CommandFailure e = assertTimeoutPreemptively(PATIENCE,
                    () -> assertThrows(CommandFailure.class, () -> gate.awaitReadyAndGo(workers)));
            assertTrue(e.getMessage().startsWith("a worker process exited before it was ready: worker " + failing.pid()
                    + " exited with " + failing.exitValue() + ": "), e.getMessage());
            assertTrue(e.getMessage().contains("unknown demo phase no-such-phase"), e.getMessage());
        }
    }

    @Test
    void aPhaseFollowsItsWorkersUntilTheLastOneFinishes() {
        try (StartGate gate = StartGate.create("finish", dir, 3)) {
            assertEquals(0, gate.finishedCount(3));
            gate.finished(1);
            assertEquals(1, gate.finishedCount(3), "one of three finished");
            gate.finished(0);
            gate.finished(2);
            assertEquals(3, gate.finishedCount(3));
        }
    }

    @Test
    void aCounterWorkerKilledAfterTheGoFailsThePhase() throws Exception {
        String name = "death";
        StringWriter err = new StringWriter();
        // more increments than the phase can make while the test runs: only the killed worker can end it
        CompletableFuture<PhaseResult> phase = CompletableFuture.supplyAsync(() -> {
            try {
                return CounterPhase.run(name, dir, Backend.SHM, 2, Long.MAX_VALUE / 4, new PrintWriter(err, true));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        ProcessHandle victim = awaitCountingWorker(name, phase);
        victim.destroyForcibly();
        PhaseResult result = assertTimeoutPreemptively(PATIENCE, () -> phase.get());
        assertFalse(result.ok(), String.join("\n", result.report()));
        List<String> failed = result.report().stream().filter(l -> l.startsWith("  FAILED: ")).toList();
        assertTrue(failed.stream().anyMatch(l -> l.startsWith("  FAILED: worker " + victim.pid() + " exited with 137")),
                String.join("\n", result.report()));
        assertTrue(ProcessHandle.current().children().noneMatch(ProcessHandle::isAlive),
                "the phase's other workers are stopped");
    }

    @Test
    void aCounterWorkerThatStopsWithoutDyingFailsThePhaseAtItsLimit() throws Exception {
        String name = "stuck";
        StringWriter err = new StringWriter();
        Duration limit = Duration.ofSeconds(10);
        // more increments than the phase can make in its limit: the workers are alive and not done when time is up
        CompletableFuture<PhaseResult> phase = CompletableFuture.supplyAsync(() -> {
            try {
                return CounterPhase.run(name, dir, Backend.SHM, 2, Long.MAX_VALUE / 4, new PrintWriter(err, true), limit);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        ProcessHandle victim = awaitCountingWorker(name, phase);
        assertEquals(0, new ProcessBuilder("kill", "-STOP", Long.toString(victim.pid())).start().waitFor());
        PhaseResult result = assertTimeoutPreemptively(PATIENCE, () -> phase.get());
        assertFalse(result.ok(), String.join("\n", result.report()));
        assertTrue(result.report().contains("  FAILED: worker " + victim.pid() + " did not finish in 10 s"),
                String.join("\n", result.report()));
        assertTrue(ProcessHandle.current().children().noneMatch(ProcessHandle::isAlive),
                "the phase's workers are stopped");
    }

    /** True for the arguments of a counter worker: {@code demo-worker counters ...} (a watcher's say watcher). */
    private static boolean countsIncrements(String[] arguments) {
        int at = List.of(arguments).indexOf("demo-worker");
        return at >= 0 && at + 1 < arguments.length && arguments[at + 1].equals("counters");
    }

    /** A counter worker of the phase once it counts (the go was given), found among this process's children. */
    private ProcessHandle awaitCountingWorker(String name, CompletableFuture<?> phase) {
        Await.until("a counter worker to count", PATIENCE, () -> {
            assertFalse(phase.isDone(), () -> "the phase ended first: " + phase.join());
            try (SharedArray<Long> map = SharedArray.open(CounterPhase.spec(name, dir, Backend.SHM, 2))) {
                return map.longs().getVolatile(CounterPhase.SHARED) > 0;
            } catch (RuntimeException notYet) {
                return false; // the coordinator has not made the map yet
            }
        });
        return ProcessHandle.current().children()
                .filter(p -> p.info().arguments().map(WorkerDeathTest::countsIncrements).orElse(false))
                .findFirst().orElseThrow();
    }
}
