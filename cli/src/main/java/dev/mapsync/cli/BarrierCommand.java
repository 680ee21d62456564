package dev.mapsync.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code mapsync barrier ...}: barriers that processes meet at, generation after generation. */
@Command(name = "barrier", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Barriers between processes: N parties meet at one, generation after generation. A party that dies",
                "while others wait breaks it for them; reset makes it usable again."},
        subcommands = {BarrierCreateCommand.class, BarrierAwaitCommand.class, BarrierStatCommand.class,
                BarrierResetCommand.class})
final class BarrierCommand implements Runnable {
    @ParentCommand
    Main root;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a barrier command is required (create, await, stat, reset)");
    }
}
