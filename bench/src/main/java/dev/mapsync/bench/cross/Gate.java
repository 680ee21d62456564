package dev.mapsync.bench.cross;

import dev.mapsync.ArraySpec;
import dev.mapsync.Codec;
import dev.mapsync.LongSlots;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The start line of a benchmark's worker processes, in a map of its own: each worker takes a number, warms up, says it
 * is ready and spins until the driver says go; each notes when it ended. The rate counts from the go to the last end,
 * so neither JVM start-up nor the JIT's warm-up is measured.
 *
 * <pre>
 * value  meaning
 *     0  the go time (System.nanoTime of the driver; 0 = not yet)
 *     1  workers ready
 *     2  workers that took a number
 *  3 + i the end time of worker i (in order of readiness)
 * </pre>
 */
final class Gate implements AutoCloseable {
    private static final int GO = 0, READY = 1, NUMBERS = 2, ENDS = 3;

    private final SharedArray<Long> map;
    private final LongSlots slots;
    private final int workers;
    private int me = -1;

    private Gate(SharedArray<Long> map, int workers) {
        this.map = map;
        this.slots = map.longs();
        this.workers = workers;
    }

    static Gate create(Path dir, int workers) {
        return new Gate(SharedArray.create(spec(dir, workers)), workers);
    }

    static Gate open(Path dir, int workers) {
        return new Gate(SharedArray.open(spec(dir, workers)), workers);
    }

    private static ArraySpec<Long> spec(Path dir, int workers) {
        return MapSpec.array("gate", Codec.i64(), ENDS + workers).dir(dir);
    }

    /** Worker side: a number of this worker's own, from 1 to the number of workers (for a warm-up slot, say). */
    int number() {
        return 1 + (int) slots.getAndAdd(NUMBERS, 1);
    }

    /** Worker side: says this worker is ready, then spins until the driver says go. */
    void readyThenAwaitGo() {
        me = (int) slots.getAndAdd(READY, 1);
        while (slots.getAcquire(GO) == 0) Thread.onSpinWait();
    }

    /** Worker side: notes that this worker ended now. */
    void ended() {
        slots.setRelease(ENDS + me, System.nanoTime());
    }

    /**
     * Driver side: waits until every worker is ready (failing if one of {@code children} exits first), says go, waits
     * for every child to exit with status 0 (failing as soon as one exits with another), and returns the seconds from
     * the go to the last worker's end. When it fails, it ends the children still running first.
     */
    double run(List<Process> children, String what) throws InterruptedException {
        boolean ran = false;
        try {
            while (slots.getVolatile(READY) < workers) {
                for (Process c : children) if (!c.isAlive()) throw failed(c, what);
                Thread.sleep(1);
            }
            long start = System.nanoTime();
            slots.setRelease(GO, start);
            // whichever ends first: one that fails leaves the others waiting for a lock or a party that is gone
            List<Process> running = new ArrayList<>(children);
            while (!running.isEmpty()) {
                try {
                    CompletableFuture.anyOf(running.stream().map(Process::onExit)
                            .toArray(CompletableFuture[]::new)).get();
                } catch (ExecutionException e) {
                    throw new IllegalStateException(what + ": cannot wait for a process", e.getCause());
                }
                for (Process c : List.copyOf(running)) {
                    if (c.isAlive()) continue;
                    if (c.exitValue() != 0) throw failed(c, what);
                    running.remove(c);
                }
            }
            ran = true;
            long end = 0;
            for (int i = 0; i < workers; i++) end = Math.max(end, slots.getVolatile(ENDS + i));
            return (end - start) / 1e9;
        } finally {
            // the others would wait at the start line, or for a lock or a party that is gone, for ever
            if (!ran) children.forEach(Process::destroyForcibly);
        }
    }

    private static IllegalStateException failed(Process c, String what) {
        return new IllegalStateException(what + ": a process failed (exit " + c.exitValue() + ")");
    }

    @Override
    public void close() {
        map.close();
    }
}
