package dev.mapsync.testkit;

import dev.mapsync.ArraySpec;
import dev.mapsync.Backend;
import dev.mapsync.Codec;
import dev.mapsync.LongSlots;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;

import java.nio.file.Path;

/**
 * A child process that adds 1 to a shared slot and to its own slot, N times each.
 * Arguments: dir name backend entries worker n.
 */
public final class CounterWorker {
    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        String name = args[1];
        Backend backend = Backend.valueOf(args[2]);
        int entries = Integer.parseInt(args[3]);
        int worker = Integer.parseInt(args[4]);
        long n = Long.parseLong(args[5]);
        ArraySpec<Long> spec = MapSpec.array(name, Codec.i64(), entries).dir(dir).backend(backend);
        try (SharedArray<Long> map = SharedArray.open(spec)) {
            LongSlots slots = map.longs();
            for (long i = 0; i < n; i++) {
                slots.getAndAdd(0, 1);
                slots.getAndAdd(1 + worker, 1);
            }
        }
    }
}
