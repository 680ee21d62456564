package dev.mapsync.bench.hash;

import dev.mapsync.bench.JvmFlags;
import dev.mapsync.bench.MappedFiles;
import dev.mapsync.launch.Jvm;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Get and put throughput and latency percentiles of shared hash maps, in one run: mapsync's shm hash map, a kernel
 * BPF hash map through system calls (via mapsync), Chronicle Map, and ConcurrentHashMap (in one process), each with 1
 * and 2 processes (ConcurrentHashMap: 1 and 2 threads) working on the same map of {@code entries} long keys and
 * values. Every store runs in fresh worker JVMs with the flags it needs (Chronicle Map's are
 * {@link JvmFlags#CHRONICLE}); a store that cannot run is reported with its exact error instead of figures.
 *
 * <p>Run: {@code java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar
 * dev.mapsync.bench.hash.HashMapBench [--entries N] [--ops N] [--stores a,b] [--processes 1,2] [--json FILE]}.
 * Defaults: 1,000,000 entries, 2,000,000 operations per process per phase, every store, 1 and 2 processes.
 */
public final class HashMapBench {
    /** The figures of one store, process count and operation, or why there are none. */
    public record Result(String store, String mode, String op, long ops, double opsPerSecond, long p50, long p90,
                         long p99, long p999, long max, String failure) {
        boolean failed() {
            return failure != null;
        }
    }

    private static final long WAIT_MINUTES = 10;

    public static void main(String[] args) throws Exception {
        int entries = 1_000_000;
        long ops = 2_000_000;
        List<String> stores = List.of("mapsync-shm", "kernel-hash", "chronicle-map", "concurrent-hash-map");
        List<Integer> processes = List.of(1, 2);
        Path json = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--entries" -> entries = Integer.parseInt(args[++i].replace("_", ""));
                case "--ops" -> ops = Long.parseLong(args[++i].replace("_", ""));
                case "--stores" -> stores = List.of(args[++i].split(","));
                case "--processes" -> processes = Stream.of(args[++i].split(",")).map(Integer::parseInt).toList();
                case "--json" -> json = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        System.out.printf(Locale.ROOT, "hash map benchmark: %,d entries of i64 -> i64, %,d random-key operations per process"
                + " per phase, Java %s, %d CPUs%n", entries, ops, Runtime.version(), Runtime.getRuntime().availableProcessors());
        System.out.printf("%-20s %-12s %-4s %14s %8s %8s %8s %8s %10s  (latencies in ns)%n", "store", "mode", "op", "ops/s",
                "p50", "p90", "p99", "p99.9", "max");
        List<Result> all = new ArrayList<>();
        for (String store : stores) {
            for (int p : processes) {
                for (Result r : run(Store.Kind.of(store), p, entries, ops)) {
                    all.add(r);
                    print(r);
                }
            }
        }
        if (json != null) writeJson(json, all, entries, ops);
    }

    private static void print(Result r) {
        if (r.failed()) {
            System.out.printf("%-20s %-12s FAILED: %s%n", r.store(), r.mode(), r.failure().strip().replace("\n", "\n    "));
            return;
        }
        System.out.printf(Locale.ROOT, "%-20s %-12s %-4s %,14.0f %8d %8d %8d %8d %10d%n", r.store(), r.mode(), r.op(),
                r.opsPerSecond(), r.p50(), r.p90(), r.p99(), r.p999(), r.max());
    }

    /** One store with {@code p} processes (or threads, for a store that cannot be shared): the get and put phases. */
    public static List<Result> run(Store.Kind kind, int p, int entries, long ops) throws Exception {
        String mode = kind.shared ? p + (p == 1 ? " process" : " processes") : p + (p == 1 ? " thread" : " threads");
        Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "mapsync-hashbench-");
        String name = "hb" + Long.toHexString(System.nanoTime());
        int workers = kind.shared ? p : 1, threads = kind.shared ? 1 : p;
        long warmup = Math.min(ops, 200_000);
        List<Process> started = new ArrayList<>();
        try {
            for (int id = 0; id < workers; id++) {
                started.add(start(kind, dir, name, entries, ops, id, threads, id == 0, warmup));
                String failure = awaitReady(dir, id, started.get(id));
                if (failure != null) return List.of(new Result(kind.label, mode, "", 0, 0, 0, 0, 0, 0, 0, failure));
            }
            List<Result> out = new ArrayList<>();
            for (String op : List.of("get", "put")) {
                Files.writeString(dir.resolve("go-" + op), "");
                Histogram merged = new Histogram(Phase.MAX_NANOS, 3);
                long total = 0, slowest = 0;
                for (int id = 0; id < workers; id++) {
                    Path result = dir.resolve("result-" + id + "-" + op);
                    String failure = awaitFile(result, started.get(id), dir, id);
                    if (failure != null) return List.of(new Result(kind.label, mode, op, 0, 0, 0, 0, 0, 0, 0, failure));
                    for (String line : Files.readAllLines(result)) {
                        Phase phase = Phase.decode(line);
                        merged.add(phase.latencies());
                        total += phase.ops();
                        slowest = Math.max(slowest, phase.elapsedNanos());
                    }
                }
                out.add(new Result(kind.label, mode, op, total, total * 1e9 / slowest, merged.getValueAtPercentile(50),
                        merged.getValueAtPercentile(90), merged.getValueAtPercentile(99),
                        merged.getValueAtPercentile(99.9), merged.getMaxValue(), null));
            }
            for (Process w : started) w.waitFor(1, TimeUnit.MINUTES);
            return out;
        } finally {
            for (Process w : started) w.destroyForcibly();
            Store.delete(kind, dir, name);
            MappedFiles.deleteTree(dir);
        }
    }

    private static Process start(Store.Kind kind, Path dir, String name, int entries, long ops, int id, int threads,
                                 boolean create, long warmup) {
        Jvm worker = Jvm.main(HashMapWorker.class).args(kind.label, dir.toString(), name, Integer.toString(entries),
                Long.toString(ops), Integer.toString(id), Integer.toString(threads), Boolean.toString(create),
                Long.toString(warmup)).output(dir.resolve("log-" + id)).endWithParent();
        if (kind == Store.Kind.CHRONICLE_MAP) worker.jvmOptions(JvmFlags.CHRONICLE);
        return worker.start().process();
    }

    private static String awaitReady(Path dir, int id, Process worker) throws Exception {
        return awaitFile(dir.resolve("ready-" + id), worker, dir, id);
    }

    /** Waits for a worker's file; returns why the worker failed instead, if it did. */
    private static String awaitFile(Path file, Process worker, Path dir, int id) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(WAIT_MINUTES);
        while (!Files.exists(file)) {
            Path error = dir.resolve("error-" + id);
            if (Files.exists(error) && !worker.isAlive()) return Files.readString(error);
            if (!worker.isAlive() && !Files.exists(file)) {
                return "the worker exited with " + worker.exitValue() + ":\n" + tail(dir.resolve("log-" + id));
            }
            if (System.nanoTime() > deadline) return "the worker did not finish in " + WAIT_MINUTES + " minutes";
            Thread.sleep(2);
        }
        return null;
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) return "(no output)";
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    private static void writeJson(Path file, List<Result> results, int entries, long ops) throws IOException {
        StringBuilder b = new StringBuilder("{\"benchmark\":\"hash-map\",\"entries\":" + entries + ",\"ops_per_process\":" + ops
                + ",\"java\":\"" + Runtime.version() + "\",\"results\":[");
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            if (i > 0) b.append(',');
            b.append("{\"store\":\"").append(r.store()).append("\",\"mode\":\"").append(r.mode()).append('"');
            if (r.failed()) {
                b.append(",\"failure\":\"").append(r.failure().replace("\\", "\\\\").replace("\"", "\\\"")
                        .replace("\n", "\\n").replace("\t", "\\t")).append("\"}");
            } else {
                b.append(String.format(Locale.ROOT, ",\"op\":\"%s\",\"ops\":%d,\"ops_per_sec\":%.0f,\"p50_ns\":%d,\"p90_ns\":%d,"
                        + "\"p99_ns\":%d,\"p999_ns\":%d,\"max_ns\":%d}", r.op(), r.ops(), r.opsPerSecond(), r.p50(), r.p90(),
                        r.p99(), r.p999(), r.max()));
            }
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, b.append("]}\n"));
    }
}
