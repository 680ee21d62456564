package dev.mapsync.bench.cross;

import dev.mapsync.bench.MappedFiles;
import dev.mapsync.launch.ParentWatch;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The start line of the cross-process benchmarks leaves no worker spinning when another worker or the driver fails. */
class GateTest {
    /** A worker: {@code wait DIR} takes a number and waits at the start line; {@code fail DIR} exits with 1 at once. */
    public static final class Worker {
        public static void main(String[] args) {
            if (args[0].equals("fail")) System.exit(1);
            try (Gate gate = Gate.open(Path.of(args[1]), 2)) {
                gate.number();
                gate.readyThenAwaitGo();
            }
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
            assertEquals("gate test: a process failed", e.getMessage());
            assertTrue(waiting.waitFor(30, TimeUnit.SECONDS), "the waiting worker is still at the start line");
            assertEquals(1, failing.exitValue());
        } finally {
            if (waiting != null) waiting.destroyForcibly();
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
