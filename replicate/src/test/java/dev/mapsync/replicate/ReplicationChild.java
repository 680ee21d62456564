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
        Throwable failure;
        if (args[0].equals("leader")) {
            Leader leader = Leader.serve(at, args[4], Path.of(args[5]), Long.parseLong(args[6]));
            System.out.println("serving");
            leader.awaitStopped(); // until killed, or failed
            failure = leader.failure();
        } else {
            Follower follower = Follower.follow(at, args[4]);
            System.out.println("following");
            follower.awaitStopped();
            failure = follower.failure();
        }
        System.out.println("failed: " + failure);
        System.exit(3);
    }
}
