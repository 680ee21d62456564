package dev.mapsync.replicate;

import dev.mapsync.Backend;
import dev.mapsync.MapLocation;
import dev.mapsync.MapSpec;

import java.nio.file.Path;
import java.util.Locale;

/**
 * A leader or follower in a process of its own, until it is killed: {@code leader DIR NAME BACKEND HOST:PORT ARCHIVE
 * SNAPSHOT_EVERY} or {@code follower DIR NAME BACKEND HOST:PORT}. Prints {@code serving} or {@code following} once
 * running; a failure prints its message and exits 3.
 */
public final class ReplicationChild {
    public static void main(String[] args) throws InterruptedException {
        MapLocation at = MapSpec.existing(args[2]).dir(Path.of(args[1]))
                .backend(Backend.valueOf(args[3].toUpperCase(Locale.ROOT)));
        AutoCloseable running;
        java.util.function.Supplier<Throwable> failure;
        java.util.function.BooleanSupplier alive;
        if (args[0].equals("leader")) {
            Leader leader = Leader.serve(at, args[4], Path.of(args[5]), Long.parseLong(args[6]));
            running = leader;
            failure = leader::failure;
            alive = leader::isRunning;
            System.out.println("serving");
        } else {
            Follower follower = Follower.follow(at, args[4]);
            running = follower;
            failure = follower::failure;
            alive = follower::isRunning;
            System.out.println("following");
        }
        while (alive.getAsBoolean()) Thread.sleep(50); // idles until killed: no one waits on this
        System.out.println("failed: " + failure.get());
        System.exit(3);
    }
}
