package dev.mapsync.cli;

import dev.mapsync.MapLocation;
import dev.mapsync.MapSpec;
import dev.mapsync.MapSyncException;
import io.aeron.exceptions.AeronException;
import picocli.CommandLine;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;

/** What the {@code replicate} subcommands share: the map argument and where it is. */
abstract class ReplicateSubcommand implements MapArgument {
    @ParentCommand
    ReplicateCommand group;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MAP",
            description = "The map: NAME (default folder, shm), bpf:NAME (a kernel map), or a path containing '/'.")
    String map;

    @Override
    public String mapArgument() {
        return map;
    }

    @Override
    public String worksOn() {
        return "array and hash maps";
    }

    /**
     * Where the map is (for {@code follow}, where the replica is or will be made): on {@code backend} when it is given
     * (null: the argument's). A kernel map another program pinned is refused: replication reads the change log of the
     * control region that such a pin lacks.
     *
     * @throws IllegalArgumentException if a backend is given for a map named by its path
     * @throws dev.mapsync.IncompatibleMapException if the map is a foreign pin
     */
    MapLocation location(String backend) {
        MapRef ref = MapRef.parse(map);
        if (backend == null) return ref.existing(group.root.dir, SchemaOptions.NONE, command());
        if (ref.name() == null) throw new IllegalArgumentException("--backend is for a map given by name, not " + ref);
        MapLocation at = MapSpec.existing(ref.name()).backend(BackendName.parse(backend));
        return group.root.dir == null ? at : at.dir(group.root.dir);
    }

    /**
     * Refuses to start Aeron in a JVM that does not export {@code jdk.internal.misc} to Agrona, which reads memory
     * through its {@code Unsafe}: without it, the first class of Agrona to need it fails to initialise.
     *
     * @throws CommandFailure saying which option to give
     */
    void requireAgronaAccess() {
        if (Object.class.getModule().isExported("jdk.internal.misc", org.agrona.DirectBuffer.class.getModule())) return;
        throw new CommandFailure("mapsync " + command() + " needs java.base/jdk.internal.misc exported to Agrona, with"
                + " which Aeron reads memory: run java with --add-exports java.base/jdk.internal.misc=ALL-UNNAMED"
                + " (the manifest of mapsync.jar gives it, so bin/mapsync and java -jar have it)");
    }

    /**
     * Starts Aeron's part, turning its failures (a port in use, a driver that does not start) into one line that says
     * what could not be done; the library's own exceptions and bad arguments keep theirs. Aeron's warnings are left
     * out meanwhile: its driver logs a failure to start as well as throwing it, and the command's line says it once
     * (the driver is closed, so it has logged, by the time the failure is thrown).
     */
    <T> T starting(String what, java.util.function.Supplier<T> start) {
        LibraryLog.muteReplication(true);
        try {
            return start.get();
        } catch (MapSyncException | IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CommandFailure(what + ": " + Failure.oneLine(String.valueOf(e.getMessage())), e);
        } finally {
            LibraryLog.muteReplication(false);
        }
    }

    /**
     * Reports what stopped a leader or follower on its own, in one line that starts with {@code what}, and returns the
     * exit code: the library's exceptions their own, Aeron's and the JVM's failures 5, and anything else (a message
     * that does not parse or fit the replica) {@code dataCode}.
     */
    int report(Throwable failure, String what, int dataCode) {
        if (failure == null) return ExitCodes.OK;
        String message = failure.getMessage() == null || failure.getMessage().isBlank() ? failure.toString()
                : failure.getMessage();
        err().println("mapsync: " + what + ": " + Failure.oneLine(message));
        if (group.root.verbose) failure.printStackTrace(err());
        err().flush();
        if (failure instanceof MapSyncException) return ExitCodes.of(failure);
        if (failure instanceof Error || failure instanceof AeronException) return ExitCodes.OTHER;
        return dataCode;
    }

    /** The command's name as the messages say it: {@code replicate serve}. */
    String command() {
        return spec.qualifiedName().substring("mapsync ".length());
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
