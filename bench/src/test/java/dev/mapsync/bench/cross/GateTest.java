package dev.mapsync.bench.cross;

import dev.mapsync.bench.MappedFiles;
import dev.mapsync.launch.ParentWatch;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The start line of the cross-process benchmarks leaves no worker spinning when another worker or the driver fails. */
class GateTest {
    /**
     * A worker: {@code wait DIR} takes a number, waits at the start line and ends; {@code fail DIR} exits with 1 at
     * once; {@code hang DIR} and {@code failAfterGo DIR} wait at the start line, then never end or exit with 1.
     */
    public static final class Worker {
        public static void main(String[] args) throws InterruptedException {
            if (args[0].equals("fail")) System.exit(1);
            try (Gate gate = Gate.open(Path.of(args[1]), 2)) {
                gate.number();
                gate.readyThenAwaitGo();
            }
            if (args[0].equals("failAfterGo")) System.exit(1);
            if (args[0].equals("hang")) Thread.sleep(Long.MAX_VALUE);
        }
    }

    @Test
    void aWorkerThatFailsBeforeTheGoEndsTheOthers() throws Exception {
        Path dir = MappedFiles.tempDir();
        Process waiting = null, failing = null;
        try (Gate gate = Gate.create(dir, 2)) {
            waiting = Child.start(Worker.class, "wait", dir.toString());
            failing = Child.start(Worker.class, "fail", dir.toString());
            List<Process> workers = List.of(waiting, failing);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> gate.run(workers, "gate test"));
            assertEquals("gate test: a process failed (exit 1)", e.getMessage());
            assertTrue(waiting.waitFor(30, TimeUnit.SECONDS), "the waiting worker is still at the start line");
            assertEquals(1, failing.exitValue());
        } finally {
            if (waiting != null) waiting.destroyForcibly();
            if (failing != null) failing.destroyForcibly();
            MappedFiles.deleteTree(dir);
        }
    }

    @Test
    void aWorkerThatFailsAfterTheGoEndsTheRunWhileAnotherStillRuns() throws Exception {
        Path dir = MappedFiles.tempDir();
        Process hanging = null, failing = null;
        try (Gate gate = Gate.create(dir, 2)) {
            hanging = Child.start(Worker.class, "hang", dir.toString());
            failing = Child.start(Worker.class, "failAfterGo", dir.toString());
            List<Process> workers = List.of(hanging, failing);
            IllegalStateException e = assertTimeoutPreemptively(Duration.ofSeconds(60),
                    () -> assertThrows(IllegalStateException.class, () -> gate.run(workers, "gate test")));
            assertEquals("gate test: a process failed (exit 1)", e.getMessage());
            assertTrue(hanging.waitFor(30, TimeUnit.SECONDS), "the hanging worker still runs");
        } finally {
            if (hanging != null) hanging.destroyForcibly();
            if (failing != null) failing.destroyForcibly();
            MappedFiles.deleteTree(dir);
        }
    }

    /** So that a worker of a killed driver stops waiting (ParentWatchTest shows that it does). */
    @Test
    void everyWorkerEndsWithItsDriver() {
        List<String> command = Child.command(Worker.class, "wait", "dir");
        int at = command.indexOf(ParentWatch.class.getName());
        assertTrue(at > 0, "not started through ParentWatch: " + command);
        assertEquals(List.of(ParentWatch.class.getName(), Long.toString(ProcessHandle.current().pid()),
                Worker.class.getName(), "wait", "dir"), command.subList(at, command.size()));
    }
}
