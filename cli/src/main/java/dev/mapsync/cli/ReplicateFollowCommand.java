package dev.mapsync.cli;

import dev.mapsync.MapLocation;
import dev.mapsync.replicate.Follower;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "follow", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Keep a read replica of a leader's map (replicate serve on another host) in step here: made at the",
                "leader's first snapshot if it is not there, then every change in the leader's order, catching up from the",
                "leader's recording after a late start, a restart or a gap. Local processes read, watch and export it as",
                "any map; their writes are refused, naming the leader. Prints one line once it follows and runs until",
                "interrupted: SIGINT or SIGTERM stops it cleanly (exit 0; the replica stays, its status says stopped).",
                "A follower that fails (a message that does not parse, a replica that does not match the leader's map)",
                "says why in one line and exits 3."},
        footer = {"", "Examples:", "  mapsync replicate follow accounts --from 10.0.0.5:7400",
                "  mapsync replicate status accounts                 # how far behind it is"})
final class ReplicateFollowCommand extends ReplicateSubcommand implements Callable<Integer> {
    @Option(names = "--from", required = true, paramLabel = "HOST:PORT", description = "The leader's --listen address.")
    String from;

    @Option(names = "--backend", paramLabel = "shm|bpf",
            description = "Backend of the replica (default shm; a bpf: prefix on the name means bpf).")
    String backend;

    @Override
    public Integer call() {
        MapLocation at = location(backend);
        requireAgronaAccess();
        Follower follower = starting("cannot follow " + from + " into replica '" + map + "'", () -> Follower.follow(at, from));
        err().println("mapsync: following " + map + " from " + follower.status().peer() + " into " + at.file());
        err().flush();
        Throwable failure = new Foreground(follower::awaitStopped, follower::failure, follower::close).await();
        return report(failure, "replica '" + map + "' stopped following " + follower.status().peer(), ExitCodes.INCOMPATIBLE);
    }
}
