package dev.mapsync.testkit;

import dev.mapsync.ArraySpec;
import dev.mapsync.Backend;
import dev.mapsync.Codec;
import dev.mapsync.LockGuard;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;

import java.nio.file.Path;

/**
 * A child that takes the lock of one entry, says "locked", and holds it until it is killed.
 * Arguments: dir name backend entries index.
 */
public final class LockHolder {
    public static void main(String[] args) throws InterruptedException {
        ArraySpec<Long> spec = MapSpec.array(args[1], Codec.i64(), Integer.parseInt(args[3])).dir(Path.of(args[0]))
                .backend(Backend.valueOf(args[2]));
        SharedArray<Long> map = SharedArray.open(spec);
        LockGuard held = map.lock(Integer.parseInt(args[4]));
        System.out.println(held.previousOwnerDied() ? "locked after a dead owner" : "locked");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
