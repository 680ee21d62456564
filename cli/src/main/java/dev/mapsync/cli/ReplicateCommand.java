package dev.mapsync.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code mapsync replicate ...}: read replicas of a map on other hosts, kept in step over Aeron. */
@Command(name = "replicate", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Read replicas of an array or hash map on other hosts, kept in step over Aeron.",
                "serve publishes a map's changes (UDP: PORT for the stream, PORT+1 for its recording); follow keeps a",
                "replica of it in step on this host (writes to the replica are refused, naming the leader); status says",
                "where either stands. serve and follow run until interrupted: SIGINT or SIGTERM stops them cleanly (exit 0)."},
        subcommands = {ReplicateServeCommand.class, ReplicateFollowCommand.class, ReplicateStatusCommand.class})
final class ReplicateCommand implements Runnable {
    @ParentCommand
    Main root;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a replicate command is required (serve, follow, status)");
    }
}
