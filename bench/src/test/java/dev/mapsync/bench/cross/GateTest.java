package dev.mapsync.bench.cross;

import dev.mapsync.bench.MappedFiles;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

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

    /** A driver that makes the gate, starts one waiting worker, prints its pid and waits to be killed. */
    public static final class Driver {
        public static void main(String[] args) throws Exception {
            try (Gate gate = Gate.create(Path.of(args[0]), 2)) {
                Process worker = Child.start(Worker.class, "wait", args[0]);
                System.out.println(worker.pid());
                System.out.flush();
                System.in.read();
            }
        }
    }

    @Test
    void aWorkerThatFailsBeforeTheGoEndsTheOthers() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "mapsync-gate-");
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

    @Test
    void aWorkerWhoseDriverIsKilledBeforeTheGoStops() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "mapsync-gate-");
        Process driver = Child.start(Driver.class, dir.toString());
        ProcessHandle worker = null;
        try {
            long pid = Long.parseLong(new BufferedReader(new InputStreamReader(driver.getInputStream())).readLine());
            worker = ProcessHandle.of(pid).orElseThrow();
            driver.destroyForcibly();
            assertTrue(driver.waitFor(30, TimeUnit.SECONDS), "the driver did not end");
            try {
                worker.onExit().get(30, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                fail("the worker still waits at the start line of a driver that is gone");
            }
        } finally {
            driver.destroyForcibly();
            if (worker != null) worker.destroyForcibly();
            MappedFiles.deleteTree(dir);
        }
    }
}
