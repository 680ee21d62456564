package dev.mapsync.testkit;

import dev.mapsync.Backend;
import dev.mapsync.Codec;
import dev.mapsync.LongSlots;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;

import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * A child process that adds 1 to one slot N times, starting only when told, so that several processes (and a
 * BPF program, and C programs) race on it at the same moment: it adds 1 to the ready slot, waits until the go
 * slot is not 0, then makes its N {@code getAndAdd}s and prints {@code added N}.
 * Arguments: dir name backend entries index n readySlot goSlot.
 */
public final class GatedAdder {
    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        String name = args[1];
        Backend backend = Backend.valueOf(args[2]);
        int entries = Integer.parseInt(args[3]);
        int index = Integer.parseInt(args[4]);
        long n = Long.parseLong(args[5]);
        int ready = Integer.parseInt(args[6]);
        int go = Integer.parseInt(args[7]);
        try (SharedArray<Long> map = SharedArray.open(MapSpec.array(name, Codec.i64(), entries).dir(dir).backend(backend))) {
            LongSlots slots = map.longs();
            slots.getAndAdd(ready, 1);
            // short naps, not a spin: on a small machine a spinning child would slow the others' start-up
            while (slots.getAcquire(go) == 0) LockSupport.parkNanos(50_000);
            for (long i = 0; i < n; i++) slots.getAndAdd(index, 1);
        }
        System.out.println("added " + n);
    }
}
