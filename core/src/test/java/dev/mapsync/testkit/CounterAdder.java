package dev.mapsync.testkit;

import dev.mapsync.MapSpec;
import dev.mapsync.SharedCounters;

import java.nio.file.Path;

/**
 * A child process that adds to a counter map: {@code n} increments of counter {@code index} and {@code n} adds of 2
 * to the last counter, through a handle of its own; printing {@code slot S} before and {@code added N} after; then ends, or with
 * {@code then-hang} keeps the handle open until it is killed.
 * Arguments: dir name count index n (then-exit | then-hang).
 */
public final class CounterAdder {
    public static void main(String[] args) throws InterruptedException {
        Path dir = Path.of(args[0]);
        String name = args[1];
        int count = Integer.parseInt(args[2]);
        int index = Integer.parseInt(args[3]);
        long n = Long.parseLong(args[4]);
        boolean hang = args[5].equals("then-hang");
        SharedCounters counters = SharedCounters.open(MapSpec.counters(name, count).dir(dir));
        System.out.println("slot " + counters.slot());
        for (long i = 0; i < n; i++) {
            counters.increment(index);
            counters.add(count - 1, 2);
        }
        System.out.println("added " + n);
        if (hang) Thread.sleep(Long.MAX_VALUE);
        counters.close();
    }
}
