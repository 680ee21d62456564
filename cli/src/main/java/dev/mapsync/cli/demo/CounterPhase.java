package dev.mapsync.cli.demo;

import dev.mapsync.ArraySpec;
import dev.mapsync.Backend;
import dev.mapsync.ChangeCursor;
import dev.mapsync.ChangeEvent;
import dev.mapsync.Codec;
import dev.mapsync.LongSlots;
import dev.mapsync.MapSpec;
import dev.mapsync.MissedChanges;
import dev.mapsync.SharedArray;
import dev.mapsync.internal.store.Bpffs;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

/**
 * The counter phase: P worker processes each make N atomic increments; even-numbered operations go to the
 * shared counters (round robin), odd ones to the worker's private counter. On the bpf backend a BPF program
 * joins them from inside the kernel ({@link KernelWorker}): N/2 runs, each taking a ticket from its own counter
 * and adding 1 to shared counter {@code ticket % S}. Every counter's final value is known exactly, so a single
 * lost or doubled increment shows. A watcher process subscribes to the map's changes; it must account for every
 * one of the workers' P x N changes, as received or as reported missed (the BPF program's writes bypass the change
 * log, as every write behind the API's back does).
 *
 * <pre>
 * slot 0 .. S-1        shared counters, incremented by every worker (and the BPF program)
 * slot S + w           worker w's private counter
 * slot S + P           the BPF program's own counter (bpf backend only)
 * </pre>
 */
public final class CounterPhase {
    static final int SHARED = 8;

    private CounterPhase() {}

    static ArraySpec<Long> spec(String name, Path dir, Backend backend, int processes) {
        int kernelSlot = backend == Backend.BPF ? 1 : 0;
        ArraySpec<Long> spec = MapSpec.array(name, Codec.i64(), SHARED + processes + kernelSlot).backend(backend);
        return dir == null ? spec : spec.dir(dir);
    }

    /** How many of {@code n} increments dealt round robin over the shared counters fall to counter {@code j}. */
    static long roundRobin(int j, long n) {
        return n / SHARED + (j < n % SHARED ? 1 : 0);
    }

    /** The value shared counter {@code j} must hold after every worker made {@code ops} operations. */
    static long expectedShared(int j, int processes, long ops) {
        return processes * roundRobin(j, (ops + 1) / 2);
    }

    /** The BPF program's runs: two atomic adds each, about as many operations as one worker JVM makes. */
    static long kernelRuns(long ops) {
        return Math.max(1, ops / 2);
    }

    static long expectedPrivate(long ops) {
        return ops / 2;
    }

    /** Worker side: arguments name dir backend processes worker ops. */
    public static void work(String name, Path dir, Backend backend, int processes, int worker, long ops)
            throws InterruptedException {
        try (SharedArray<Long> map = SharedArray.open(spec(name, dir, backend, processes));
             StartGate gate = StartGate.open(name, dir, processes + 1);
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

    /** Watcher side: counts the changes it receives and is told it missed, until stopped and drained. */
    public static void watch(String name, Path dir, Backend backend, int processes) throws InterruptedException {
        long received = 0, missed = 0;
        try (SharedArray<Long> map = SharedArray.open(spec(name, dir, backend, processes));
             ChangeCursor cursor = map.changes();
             StartGate gate = StartGate.open(name, dir, processes + 1)) {
            gate.arriveAndWait();
            boolean drained = false;
            while (!drained) {
                boolean stopping = gate.stopped();
                // the last polls outwait the second a change reserved and not yet published holds the ones after it
                // back (a writer a full lap of the log behind publishes over a newer change): only then does an empty
                // poll mean that none is left
                List<ChangeEvent> events = cursor.poll(Duration.ofMillis(stopping ? 1_500 : 100));
                for (ChangeEvent e : events) {
                    if (e instanceof MissedChanges m) missed += m.count();
                    else received++;
                }
                drained = stopping && events.isEmpty();
            }
        }
        System.out.println(received + " " + missed);
    }

    /** Coordinator side: creates the maps, runs the workers (and on bpf the BPF program), checks every counter. */
    public static PhaseResult run(String name, Path dir, Backend backend, int processes, long ops, PrintWriter err)
            throws InterruptedException {
        return run(name, dir, backend, processes, ops, err, Workers.PHASE_LIMIT);
    }

    /** {@link #run(String, Path, Backend, int, long, PrintWriter)} whose workers have {@code limit} to finish. */
    static PhaseResult run(String name, Path dir, Backend backend, int processes, long ops, PrintWriter err,
                           Duration limit) throws InterruptedException {
        ArraySpec<Long> spec = spec(name, dir, backend, processes);
        int kernelSlot = SHARED + processes;
        long runs = backend == Backend.BPF ? kernelRuns(ops) : 0;
        try (SharedArray<Long> map = SharedArray.create(spec);
             Workers workers = new Workers(limit);
             KernelWorker kernel = backend == Backend.BPF ? KernelWorker.load(Bpffs.defaultPin(name), SHARED, kernelSlot) : null;
             PhaseEnd end = PhaseEnd.create(name, dir, processes)) {
            StartGate gate = StartGate.create(name, dir, processes + 1);
            try {
                for (int w = 0; w < processes; w++) {
                    workers.start("counters", name, dir == null ? "-" : dir.toString(), backend.name(),
                            Integer.toString(processes), Integer.toString(w), Long.toString(ops));
                }
                workers.start("watcher", name, dir == null ? "-" : dir.toString(), backend.name(), Integer.toString(processes));
                LongSlots counters = map.longs();
                FutureTask<KernelWorker.Result> kernelRun = kernel == null ? null
                        : new FutureTask<>(() -> kernel.run(runs, () -> counters.getVolatile(kernelSlot)));
                long start = gate.awaitReadyAndGo(workers);
                if (kernelRun != null) Thread.ofPlatform().name("kernel-worker").start(kernelRun);
                long total = processes * ops + 2 * runs;
                new Progress(err).follow("increments", () -> sum(counters, map.length()), total,
                        () -> workers.running() && (kernelRun == null || kernelRun.state() != Future.State.FAILED));
                PhaseEnd.Outcome met = end.await(workers.left());
                gate.stop();
                List<String> failures = new ArrayList<>(workers.awaitAll());
                KernelWorker.Result kernelResult = kernelRun == null ? null : kernelResult(kernelRun, failures);
                long elapsed = Math.max(1, gate.lastFinish(processes) - start);
                String[] seen = workers.lastLine(processes).split(" ");
                long received = seen.length == 2 ? Long.parseLong(seen[0]) : -1;
                long missed = seen.length == 2 ? Long.parseLong(seen[1]) : -1;
                return report(map, counters, processes, ops, runs, kernelResult, elapsed, received, missed, met, failures);
            } finally {
                gate.delete();
            }
        } finally {
            dev.mapsync.SharedMaps.delete(MapSpec.existing(name).dir(spec.dir()).backend(backend));
        }
    }

    private static KernelWorker.Result kernelResult(FutureTask<KernelWorker.Result> run, List<String> failures)
            throws InterruptedException {
        try {
            return run.get();
        } catch (ExecutionException e) {
            failures.add("kernel worker: " + e.getCause().getMessage());
            return null;
        }
    }

    private static long sum(LongSlots counters, int n) {
        long s = 0;
        for (int i = 0; i < n; i++) s += counters.getOpaque(i);
        return s;
    }

    private static PhaseResult report(SharedArray<Long> map, LongSlots counters, int processes, long ops, long runs,
                                      KernelWorker.Result kernel, long elapsedNanos, long received, long missed,
                                      PhaseEnd.Outcome met, List<String> failures) {
        int violations = 0;
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < map.length(); i++) {
            long expected = i < SHARED ? expectedShared(i, processes, ops) + roundRobin(i, runs)
                    : i < SHARED + processes ? expectedPrivate(ops) : runs;
            long actual = counters.getVolatile(i);
            if (actual != expected) {
                violations++;
                lines.add(String.format("  counter %d holds %,d, expected %,d", i, actual, expected));
            }
        }
        long operations = processes * ops;
        double seconds = elapsedNanos / 1e9;
        long opsPerSec = Math.round(operations / seconds);
        boolean accounted = received + missed == processes * ops;
        boolean ok = violations == 0 && met.ok() && failures.isEmpty() && accounted;
        List<String> report = new ArrayList<>();
        report.add(String.format("counters: %d worker processes x %,d atomic increments (getAndAdd) on %d counters%s",
                processes, ops, map.length(), runs > 0 ? ", racing a BPF program in the kernel" : ""));
        report.add(String.format("  operations     %,d in %.3f s = %,d ops/s%s", operations, seconds, opsPerSec,
                runs > 0 ? " (worker JVMs)" : ""));
        if (runs > 0) {
            report.add(String.format("  kernel map     id %s, pinned at %s, mapped by every worker",
                    map.info().details().get("kernel map id"), map.info().details().get("pin")));
            report.add(kernel == null ? "  kernel worker  failed"
                    : String.format("  kernel worker  %,d atomic adds by BPF program '%s' in %,d runs (BPF_PROG_TEST_RUN"
                    + " repeat), %d ns per run", kernel.operations(), KernelWorker.PROGRAM_NAME, kernel.runs(), kernel.nanosPerRun()));
        }
        report.add(String.format("  violations     %d of %d counters off%s", violations, map.length(),
                violations == 0 ? " (every counter exact)" : ""));
        report.addAll(lines);
        report.add(String.format("  watcher        received %,d changes, told it missed %,d: %s", received, missed,
                accounted ? "every change accounted for" : "MISMATCH with the " + String.format("%,d", processes * ops) + " made"));
        report.add(met.line());
        failures.forEach(f -> report.add("  FAILED: " + f));
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("processes", processes);
        figures.put("operations", operations);
        figures.put("violations", violations);
        figures.put("ops_per_sec", opsPerSec);
        figures.put("elapsed_ms", Math.round(elapsedNanos / 1e6));
        figures.put("changes_received", received);
        figures.put("changes_missed", missed);
        if (runs > 0) {
            figures.put("kernel_runs", kernel == null ? 0 : kernel.runs());
            figures.put("kernel_operations", kernel == null ? 0 : kernel.operations());
        }
        return new PhaseResult("counters", ok, figures, report);
    }
}
