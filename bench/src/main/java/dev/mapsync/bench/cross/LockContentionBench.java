package dev.mapsync.bench.cross;

import dev.mapsync.ArraySpec;
import dev.mapsync.Codec;
import dev.mapsync.LockGuard;
import dev.mapsync.LongSlots;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Two processes contending for one lock: each takes it, increments a shared counter with a plain read and write
 * (correct only under the lock), and releases it, N times. Both first warm up on a lock and counter of their own,
 * then start together on a gate; the rate counts from the go to the last one's end, and the counter must be exact.
 * Modes: {@code mapsync} (an entry lock) and {@code flock} ({@link FileChannel#lock}, the JDK's cross-process lock).
 * Run: {@code java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar
 * dev.mapsync.bench.cross.LockContentionBench [n]}.
 */
public final class LockContentionBench {
    /** The combined rate of one mode and whether the counter came out exact. */
    public record Result(String mode, long operations, double opsPerSecond, boolean exact) {}

    private static final int PROCESSES = 2;
    private static final int WARMUP_ROUNDS = 20;
    private static final long WARMUP_LOCKS = 10_000;

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            child(args[1], Path.of(args[2]), Long.parseLong(args[3]));
            return;
        }
        long n = args.length > 0 ? Long.parseLong(args[0]) : 200_000;
        for (Result r : run(List.of("mapsync", "flock"), n)) {
            System.out.printf("%-8s 2 processes x %,d lock/increment/unlock: %,.0f ops/s, counter %s%n", r.mode(),
                    r.operations() / 2, r.opsPerSecond(), r.exact() ? "exact" : "WRONG");
        }
    }

    public static List<Result> run(List<String> modes, long n) throws Exception {
        List<Result> out = new ArrayList<>();
        for (String mode : modes) {
            Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "mapsync-contention-");
            try (Gate gate = Gate.create(dir, PROCESSES);
                 SharedArray<Long> map = SharedArray.create(counterSpec(dir))) {
                List<Process> children = new ArrayList<>();
                for (int i = 0; i < PROCESSES; i++) {
                    children.add(Child.start(LockContentionBench.class, "child", mode, dir.toString(), Long.toString(n)));
                }
                double seconds = gate.run(children, mode);
                out.add(new Result(mode, PROCESSES * n, PROCESSES * n / seconds, map.longs().get(0) == PROCESSES * n));
            } finally {
                try (var files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
        return out;
    }

    private static void child(String mode, Path dir, long n) throws IOException {
        try (Gate gate = Gate.open(dir, PROCESSES);
             SharedArray<Long> map = SharedArray.open(counterSpec(dir));
             FileChannel flock = FileChannel.open(dir.resolve("flock"), StandardOpenOption.CREATE,
                     StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            LongSlots counters = map.longs();
            boolean mapsync = mode.equals("mapsync");
            int own = gate.number(); // a lock and counter of this process's own, for the warm-up
            for (int round = 0; round < WARMUP_ROUNDS; round++) {
                if (mapsync) lockAndAdd(map, counters, own, WARMUP_LOCKS);
                else lockAndAdd(flock, counters, own, WARMUP_LOCKS);
            }
            gate.readyThenAwaitGo();
            if (mapsync) lockAndAdd(map, counters, 0, n);
            else lockAndAdd(flock, counters, 0, n);
            gate.ended();
        }
    }

    private static void lockAndAdd(SharedArray<Long> map, LongSlots counters, int index, long n) {
        for (long i = 0; i < n; i++) {
            try (LockGuard held = map.lock(index)) {
                counters.setPlain(index, counters.getPlain(index) + 1);
            }
        }
    }

    /** Locks byte {@code index} of the file: processes that lock the same byte exclude each other. */
    private static void lockAndAdd(FileChannel flock, LongSlots counters, int index, long n) throws IOException {
        for (long i = 0; i < n; i++) {
            try (FileLock held = flock.lock(index, 1, false)) {
                counters.setPlain(index, counters.getPlain(index) + 1);
            }
        }
    }

    /** Value 0 is the shared counter; value 1 + i is process i's own, for its warm-up. */
    private static ArraySpec<Long> counterSpec(Path dir) {
        return MapSpec.array("c", Codec.i64(), 1 + PROCESSES).dir(dir);
    }
}
