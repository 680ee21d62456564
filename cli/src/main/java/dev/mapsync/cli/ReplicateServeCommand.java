package dev.mapsync.cli;

import dev.mapsync.IncompatibleMapException;
import dev.mapsync.MapLocation;
import dev.mapsync.MapType;
import dev.mapsync.SharedMaps;
import dev.mapsync.replicate.Leader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Lead the replicas of an array or hash map: publish each change over Aeron on --listen, recorded by",
                "an Aeron Archive (in --archive) from which followers that start late, restart or fall behind catch up,",
                "with a snapshot of the whole map at the start and every --snapshot-every changes. Prints one line once",
                "it serves and runs until interrupted: SIGINT or SIGTERM stops it cleanly (exit 0; its status says",
                "stopped). A leader that fails says why in one line and exits non-zero. Followers see changes made",
                "through mapsync only (Java, C, Python); a BPF program's writes reach them with the next snapshot."},
        footer = {"", "Examples:", "  mapsync replicate serve accounts --listen 10.0.0.5:7400",
                "  mapsync replicate serve sessions --listen 10.0.0.5:7402 --archive /var/lib/mapsync/sessions"})
final class ReplicateServeCommand extends ReplicateSubcommand implements Callable<Integer> {
    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT",
            description = "The IPv4 address and UDP port followers reach: PORT for the stream, PORT+1 for its recording.")
    String listen;

    @Option(names = "--archive", paramLabel = "DIR",
            description = "Folder of the recording, emptied when the leader starts (default: ${java.io.tmpdir}/mapsync-archive-USER/MAP).")
    Path archive;

    @Option(names = "--snapshot-every", defaultValue = "" + Leader.DEFAULT_SNAPSHOT_EVERY, paramLabel = "N",
            description = "Changes between snapshots (default ${DEFAULT-VALUE}, and at least four times the map's entries).")
    long snapshotEvery;

    @Option(names = "--backend", paramLabel = "shm|bpf", description = "Backend (default shm; a bpf: prefix on the name means bpf).")
    String backend;

    @Override
    public Integer call() {
        if (snapshotEvery < 1) throw new IllegalArgumentException("--snapshot-every must be at least 1, not " + snapshotEvery);
        MapLocation at = location(backend);
        MapType type = SharedMaps.info(at).type();
        if (type != MapType.ARRAY && type != MapType.HASH) {
            // said as a map of the wrong type for this command (Failure says which maps it works on)
            throw new IncompatibleMapException("map '" + map + "' is a " + type + " map, not an array or hash map", "map type");
        }
        requireAgronaAccess();
        Path dir = archive != null ? archive : ArchiveFolder.of(at.name());
        Leader leader = starting("cannot serve map '" + map + "' on " + listen,
                () -> Leader.serve(at, listen, dir, snapshotEvery));
        err().println("mapsync: serving " + map + " on " + leader.status().peer() + " (archive " + dir + ")");
        err().flush();
        Throwable failure = new Foreground(leader::awaitStopped, leader::failure, leader::close).await();
        return report(failure, "map '" + map + "' stopped serving on " + leader.status().peer(), ExitCodes.OTHER);
    }
}
