package dev.mapsync.cli.demo;

import dev.mapsync.ArraySpec;
import dev.mapsync.Backend;
import dev.mapsync.Codec;
import dev.mapsync.LongSlots;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedMaps;
import dev.mapsync.cli.CommandFailure;

import java.nio.file.Path;

/**
 * A small shared control map of a demo phase, so that its processes start their timed work together (JVM
 * start-up is not part of the measurement), say when they finished, and learn when to stop.
 *
 * <pre>
 * slot 0      processes ready
 * slot 1      go: 0 until the coordinator lets them start
 * slot 2      stop: 1 when processes that run until told (checkers, watchers) should stop
 * slot 3 + w  System.nanoTime() when worker w finished (CLOCK_MONOTONIC: the same clock in every process)
 * </pre>
 */
public final class StartGate implements AutoCloseable {
    private static final int READY = 0, GO = 1, STOP = 2, FINISHED = 3;

    private final SharedArray<Long> map;
    private final LongSlots slots;
    private final int processes;

    private StartGate(SharedArray<Long> map, int processes) {
        this.map = map;
        this.slots = map.longs();
        this.processes = processes;
    }

    static ArraySpec<Long> spec(String name, Path dir, int processes) {
        ArraySpec<Long> spec = MapSpec.array(name + "-gate", Codec.i64(), FINISHED + processes).backend(Backend.SHM);
        return dir == null ? spec : spec.dir(dir);
    }

    public static StartGate create(String name, Path dir, int processes) {
        return new StartGate(SharedArray.create(spec(name, dir, processes)), processes);
    }

    public static StartGate open(String name, Path dir, int processes) {
        return new StartGate(SharedArray.open(spec(name, dir, processes)), processes);
    }

    /** Process side: says it is ready, then waits for the go. */
    public void arriveAndWait() throws InterruptedException {
        slots.getAndAdd(READY, 1);
        while (slots.getAcquire(GO) == 0) Thread.sleep(1);
    }

    /**
     * Coordinator side: waits until every process is ready, then starts them; returns the start time.
     *
     * @throws CommandFailure if one of {@code workers} exits first: the others would wait for a go that cannot come
     */
    public long awaitReadyAndGo(Workers workers) throws InterruptedException {
        while (slots.getVolatile(READY) < processes) {
            String exit = workers.firstExit();
            if (exit != null) throw new CommandFailure("a worker process exited before it was ready: " + exit);
            Thread.sleep(1);
        }
        long start = System.nanoTime();
        slots.setRelease(GO, 1);
        return start;
    }

    public void finished(int worker) {
        slots.setRelease(FINISHED + worker, System.nanoTime());
    }

    /** How many of the first {@code workers} processes have finished. */
    public int finishedCount(int workers) {
        int n = 0;
        for (int w = 0; w < workers; w++) if (slots.getAcquire(FINISHED + w) != 0) n++;
        return n;
    }

    /** The time the last of the first {@code workers} processes finished. */
    public long lastFinish(int workers) {
        long last = 0;
        for (int w = 0; w < workers; w++) last = Math.max(last, slots.getAcquire(FINISHED + w));
        return last;
    }

    public void stop() {
        slots.setRelease(STOP, 1);
    }

    public boolean stopped() {
        return slots.getAcquire(STOP) != 0;
    }

    /** Closes the gate and deletes its map (coordinator). */
    public void delete() {
        Path folder = map.info().file().getParent();
        map.close();
        SharedMaps.delete(MapSpec.existing(map.name()).dir(folder));
    }

    @Override
    public void close() {
        map.close();
    }
}
