package dev.mapsync.bench.startup;

import dev.mapsync.LockGuard;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;

import java.nio.file.Path;

/**
 * The Java API's first calls in a fresh JVM, as an application meets them: open an existing map, its first get, its
 * first lock and unlock. Prints the three times in microseconds on one line. Run by {@link StartupBench}:
 * {@code java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar dev.mapsync.bench.startup.FirstCalls DIR MAP}.
 */
public final class FirstCalls {
    private FirstCalls() {}

    public static void main(String[] args) {
        long t0 = System.nanoTime();
        try (SharedArray<Object> map = SharedArray.open(MapSpec.existing(args[1]).dir(Path.of(args[0])))) {
            long t1 = System.nanoTime();
            Object value = map.get(0);
            long t2 = System.nanoTime();
            try (LockGuard ignored = map.lock(0)) {
                // held and released: the first lock's cost
            }
            long t3 = System.nanoTime();
            if (value == null) throw new IllegalStateException("entry 0 read as null");
            System.out.println((t1 - t0) / 1000 + " " + (t2 - t1) / 1000 + " " + (t3 - t2) / 1000);
        }
    }
}
