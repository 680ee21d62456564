package dev.mapsync.testkit;

import dev.mapsync.Backend;
import dev.mapsync.SharedHashMap;
import dev.mapsync.testkit.HashCells.Cell;

import java.nio.file.Path;

/**
 * A child that makes one write with the hash map pause hook on, so that the test can kill it in the middle of a write
 * window. Arguments: dir name backend capacity segments window op key, where op is {@code put}, {@code remove} or
 * {@code add}; it prints {@code paused mid-window} (from the hook) and waits to be killed.
 */
public final class HashPausedWriter {
    public static void main(String[] args) {
        System.setProperty("mapsync.test.pauseHashWindow", args[5]);
        try (SharedHashMap<String, Cell> map = SharedHashMap.open(HashCells.spec(Path.of(args[0]), args[1],
                Backend.valueOf(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4])))) {
            String key = args[7];
            switch (args[6]) {
                case "put" -> map.put(key, Cell.of(99, 99));
                case "remove" -> map.remove(key);
                case "add" -> map.getAndAdd(key, "counter", 1000);
                default -> throw new IllegalArgumentException(args[6]);
            }
        }
        System.out.println("the write finished without pausing");
    }
}
