package dev.mapsync.cli.demo;

import dev.mapsync.Backend;
import dev.mapsync.Codec;
import dev.mapsync.LongSlots;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;

import java.nio.file.Path;

/**
 * A small shared control map so that the workers start their timed work together (JVM start-up is not part of
 * the measurement) and report when they finished.
 *
 * <pre>
 * slot 0      workers ready
 * slot 1      go: 0 until the coordinator lets the workers start
 * slot 2 + w  System.nanoTime() when worker w finished (CLOCK_MONOTONIC: the same clock in every process)
 * </pre>
 */
public final class StartGate implements AutoCloseable {
    private final SharedArray<Long> map;
    private final LongSlots slots;
    private final int workers;

    private StartGate(SharedArray<Long> map, int workers) {
        this.map = map;
        this.slots = map.longs();
        this.workers = workers;
    }

    static MapSpec<Long> spec(String name, Path dir, int workers) {
        MapSpec<Long> spec = MapSpec.array(name + "-gate", Codec.i64(), 2 + workers).backend(Backend.SHM);
        return dir == null ? spec : spec.dir(dir);
    }

    public static StartGate create(String name, Path dir, int workers) {
        return new StartGate(SharedArray.create(spec(name, dir, workers)), workers);
    }

    public static StartGate open(String name, Path dir, int workers) {
        return new StartGate(SharedArray.open(spec(name, dir, workers)), workers);
    }

    /** Worker side: says it is ready, then waits for the go. */
    public void arriveAndWait() throws InterruptedException {
        slots.getAndAdd(0, 1);
        while (slots.getAcquire(1) == 0) Thread.sleep(1);
    }

    /** Coordinator side: waits until every worker is ready, then starts them; returns the start time. */
    public long awaitReadyAndGo(java.util.function.BooleanSupplier workersAlive) throws InterruptedException {
        while (slots.getVolatile(0) < workers) {
            if (!workersAlive.getAsBoolean()) throw new IllegalStateException("a worker exited before it was ready");
            Thread.sleep(1);
        }
        long start = System.nanoTime();
        slots.setRelease(1, 1);
        return start;
    }

    public void finished(int worker) {
        slots.setRelease(2 + worker, System.nanoTime());
    }

    /** The time the last worker finished. */
    public long lastFinish() {
        long last = 0;
        for (int w = 0; w < workers; w++) last = Math.max(last, slots.getAcquire(2 + w));
        return last;
    }

    /** Closes the gate and deletes its map (coordinator). */
    public void delete() {
        Path folder = map.info().file().getParent();
        map.close();
        dev.mapsync.SharedMaps.delete(MapSpec.existing(map.name()).dir(folder));
    }

    @Override
    public void close() {
        map.close();
    }
}
