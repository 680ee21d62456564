package dev.mapsync.cli.demo;

import dev.mapsync.Backend;
import dev.mapsync.Codec;
import dev.mapsync.LongSlots;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The counter phase: P worker processes each make N atomic increments; even-numbered operations go to the
 * shared counters (round robin), odd ones to the worker's private counter. Every counter's final value is known
 * exactly, so a single lost or doubled increment shows.
 *
 * <pre>
 * slot 0 .. S-1        shared counters, incremented by every worker
 * slot S + w           worker w's private counter
 * </pre>
 */
public final class CounterPhase {
    static final int SHARED = 8;

    private CounterPhase() {}

    static MapSpec<Long> spec(String name, Path dir, Backend backend, int processes) {
        MapSpec<Long> spec = MapSpec.array(name, Codec.i64(), SHARED + processes).backend(backend);
        return dir == null ? spec : spec.dir(dir);
    }

    /** The value shared counter {@code j} must hold after every worker made {@code ops} operations. */
    static long expectedShared(int j, int processes, long ops) {
        long evens = (ops + 1) / 2;
        return processes * (evens / SHARED + (j < evens % SHARED ? 1 : 0));
    }

    static long expectedPrivate(long ops) {
        return ops / 2;
    }

    /** Worker side: arguments name dir backend processes worker ops. */
    public static void work(String name, Path dir, Backend backend, int processes, int worker, long ops)
            throws InterruptedException {
        try (SharedArray<Long> map = SharedArray.open(spec(name, dir, backend, processes));
             StartGate gate = StartGate.open(name, dir, processes);
             PhaseEnd end = PhaseEnd.join(name, dir, processes)) {
            LongSlots counters = map.longs();
            int own = SHARED + worker;
            gate.arriveAndWait();
            for (long k = 0; k < ops; k++) {
                counters.getAndAdd((k & 1) == 0 ? (int) ((k >>> 1) % SHARED) : own, 1);
            }
            gate.finished(worker);
            end.arrive();
        }
    }

    /** Coordinator side: creates the maps, runs the workers, checks every counter. */
    public static PhaseResult run(String name, Path dir, Backend backend, int processes, long ops, PrintWriter err)
            throws InterruptedException {
        MapSpec<Long> spec = spec(name, dir, backend, processes);
        try (SharedArray<Long> map = SharedArray.create(spec);
             Workers workers = new Workers();
             PhaseEnd end = PhaseEnd.create(name, dir, processes)) {
            StartGate gate = StartGate.create(name, dir, processes);
            try {
                for (int w = 0; w < processes; w++) {
                    workers.start("counters", name, dir == null ? "-" : dir.toString(), backend.name(),
                            Integer.toString(processes), Integer.toString(w), Long.toString(ops));
                }
                long start = gate.awaitReadyAndGo(workers::anyAlive);
                LongSlots counters = map.longs();
                long total = processes * ops;
                new Progress(err).follow("increments", () -> sum(counters, map.length()), total, workers::anyAlive);
                PhaseEnd.Outcome met = end.await();
                List<String> failures = workers.awaitAll(300);
                long elapsed = Math.max(1, gate.lastFinish(processes) - start);
                return report(map, counters, processes, ops, elapsed, met, failures);
            } finally {
                gate.delete();
            }
        } finally {
            dev.mapsync.SharedMaps.delete(MapSpec.existing(name).dir(spec.dir()).backend(backend));
        }
    }

    private static long sum(LongSlots counters, int n) {
        long s = 0;
        for (int i = 0; i < n; i++) s += counters.getOpaque(i);
        return s;
    }

    private static PhaseResult report(SharedArray<Long> map, LongSlots counters, int processes, long ops,
                                      long elapsedNanos, PhaseEnd.Outcome met, List<String> failures) {
        int violations = 0;
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < map.length(); i++) {
            long expected = i < SHARED ? expectedShared(i, processes, ops) : expectedPrivate(ops);
            long actual = counters.getVolatile(i);
            if (actual != expected) {
                violations++;
                lines.add(String.format("  counter %d holds %,d, expected %,d", i, actual, expected));
            }
        }
        long operations = processes * ops;
        double seconds = elapsedNanos / 1e9;
        long opsPerSec = Math.round(operations / seconds);
        boolean ok = violations == 0 && met.ok() && failures.isEmpty();
        List<String> report = new ArrayList<>();
        report.add(String.format("counters: %d worker processes x %,d atomic increments (getAndAdd) on %d counters",
                processes, ops, map.length()));
        report.add(String.format("  operations     %,d in %.3f s = %,d ops/s", operations, seconds, opsPerSec));
        report.add(String.format("  violations     %d of %d counters off%s", violations, map.length(),
                violations == 0 ? " (every counter exact)" : ""));
        report.addAll(lines);
        report.add(met.line());
        failures.forEach(f -> report.add("  FAILED: " + f));
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("processes", processes);
        figures.put("operations", operations);
        figures.put("violations", violations);
        figures.put("ops_per_sec", opsPerSec);
        figures.put("elapsed_ms", Math.round(elapsedNanos / 1e6));
        return new PhaseResult("counters", ok, figures, report);
    }
}
