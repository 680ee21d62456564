package dev.mapsync.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code mapsync queue ...}: rings and queues shared between processes, and kernel ring buffers. */
@Command(name = "queue", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Queues between processes: rings of records in the BPF ring buffer's format, many producers, one",
                "consumer. A queue made with --value holds values of that schema; without, records of any length (text",
                "on the command line). bpf:NAME is a kernel BPF_MAP_TYPE_RINGBUF that BPF programs fill; take reads it."},
        subcommands = {QueueCreateCommand.class, QueuePutCommand.class, QueueTakeCommand.class, QueueStatCommand.class,
                QueueSealCommand.class})
final class QueueCommand implements Runnable {
    @ParentCommand
    Main root;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a queue command is required (create, put, take, stat, seal)");
    }
}
