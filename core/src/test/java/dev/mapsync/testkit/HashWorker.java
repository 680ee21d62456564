package dev.mapsync.testkit;

import dev.mapsync.Backend;
import dev.mapsync.SharedHashMap;
import dev.mapsync.testkit.HashCells.Cell;

import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A child that runs random operations on overlapping keys and logs each with what it returned, one line each:
 * {@code P key id prev} (put), {@code I key id existing} (putIfAbsent), {@code R key prev} (remove),
 * {@code A key delta} (getAndAdd on a counter key); {@code -} stands for "absent".
 * Arguments: dir name backend capacity segments writerId ops chainKeys counterKeys log.
 */
public final class HashWorker {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int capacity = Integer.parseInt(args[3]), segments = Integer.parseInt(args[4]);
        long writer = Long.parseLong(args[5]);
        int ops = Integer.parseInt(args[6]), chainKeys = Integer.parseInt(args[7]), counterKeys = Integer.parseInt(args[8]);
        SplittableRandom random = new SplittableRandom(writer * 7919);
        try (SharedHashMap<String, Cell> map = SharedHashMap.open(HashCells.spec(dir, args[1], Backend.valueOf(args[2]), capacity, segments));
             BufferedWriter log = Files.newBufferedWriter(Path.of(args[9]))) {
            for (long seq = 1; seq <= ops; seq++) {
                int dice = random.nextInt(10);
                if (dice < 2) {
                    String key = "c" + random.nextInt(counterKeys);
                    long delta = random.nextInt(1, 100);
                    map.getAndAdd(key, "counter", delta);
                    log.write("A " + key + " " + delta + "\n");
                    continue;
                }
                String key = "k" + random.nextInt(chainKeys);
                Cell value = Cell.of(writer, seq);
                if (dice < 6) {
                    log.write("P " + key + " " + value.id() + " " + id(map.put(key, value)) + "\n");
                } else if (dice < 8) {
                    log.write("I " + key + " " + value.id() + " " + id(map.putIfAbsent(key, value)) + "\n");
                } else {
                    log.write("R " + key + " " + id(map.remove(key)) + "\n");
                }
            }
        }
        System.out.println("done");
    }

    private static String id(Cell c) {
        return c == null ? "-" : c.id();
    }
}
