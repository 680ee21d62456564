package dev.mapsync.micrometer;

import dev.mapsync.Backend;
import dev.mapsync.LockGuard;
import dev.mapsync.SharedHashMap;

import java.nio.file.Path;

/**
 * A child that takes the lock of one key of a {@link HashMetricsTest#spec} hash map, says "locked", and holds it until
 * it is killed. Arguments: dir name backend key.
 */
public final class HashLockHolder {
    public static void main(String[] args) throws InterruptedException {
        SharedHashMap<String, Long> map = SharedHashMap.open(HashMetricsTest.spec(Path.of(args[0]), args[1],
                Backend.valueOf(args[2])));
        LockGuard held = map.lock(args[3]);
        System.out.println(held.previousOwnerDied() ? "locked after a dead owner" : "locked");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
