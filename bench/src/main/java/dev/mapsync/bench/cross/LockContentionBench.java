package dev.mapsync.bench.cross;

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
import java.util.List;

/**
 * Two processes contending for one lock: each takes it, increments a shared counter with a plain read and write
 * (correct only under the lock), and releases it, N times. Reports the combined rate and checks the counter.
 * Modes: {@code mapsync} (an entry lock) and {@code flock} ({@link FileChannel#lock}, the JDK's cross-process lock).
 * Run: {@code java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar
 * dev.mapsync.bench.cross.LockContentionBench [n]}.
 */
public final class LockContentionBench {
    /** The combined rate of one mode and whether the counter came out exact. */
    public record Result(String mode, long operations, double opsPerSecond, boolean exact) {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            work(args[1], Path.of(args[2]), Long.parseLong(args[3]));
            return;
        }
        long n = args.length > 0 ? Long.parseLong(args[0]) : 200_000;
        for (Result r : run(List.of("mapsync", "flock"), n)) {
            System.out.printf("%-8s 2 processes x %,d lock/increment/unlock: %,.0f ops/s, counter %s%n", r.mode(),
                    r.operations() / 2, r.opsPerSecond(), r.exact() ? "exact" : "WRONG");
        }
    }

    public static List<Result> run(List<String> modes, long n) throws Exception {
        java.util.ArrayList<Result> out = new java.util.ArrayList<>();
        for (String mode : modes) {
            Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "mapsync-contention-");
            try {
                try (SharedArray<Long> map = SharedArray.create(MapSpec.array("c", Codec.i64(), 2).dir(dir))) {
                    Process child = Child.start(LockContentionBench.class, "child", mode, dir.toString(), Long.toString(n));
                    long t0 = System.nanoTime();
                    work(mode, dir, n);
                    if (child.waitFor() != 0) throw new IllegalStateException("the other process failed");
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    out.add(new Result(mode, 2 * n, 2 * n / seconds, map.longs().get(0) == 2 * n));
                }
            } finally {
                try (var files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
        return out;
    }

    private static void work(String mode, Path dir, long n) throws IOException {
        try (SharedArray<Long> map = SharedArray.open(MapSpec.array("c", Codec.i64(), 2).dir(dir))) {
            LongSlots counter = map.longs();
            if (mode.equals("mapsync")) {
                for (long i = 0; i < n; i++) {
                    try (LockGuard held = map.lock(0)) {
                        counter.setPlain(0, counter.getPlain(0) + 1);
                    }
                }
            } else {
                try (FileChannel ch = FileChannel.open(dir.resolve("flock"), StandardOpenOption.CREATE,
                        StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                    for (long i = 0; i < n; i++) {
                        try (FileLock lock = ch.lock(0, 1, false)) {
                            counter.setPlain(0, counter.getPlain(0) + 1);
                        }
                    }
                }
            }
        }
    }
}
