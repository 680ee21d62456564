package dev.mapsync.cli;

import dev.mapsync.BarrierSpec;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedBarrier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "create", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Create a barrier for N parties.", footer = {"", "Example:", "  mapsync barrier create phase --parties 4"})
final class BarrierCreateCommand extends BarrierSubcommand implements Runnable {
    @Parameters(index = "0", paramLabel = "BARRIER")
    String barrier;

    @Option(names = "--parties", required = true, paramLabel = "N", description = "Processes that trip it (1 to 1024).")
    int parties;

    @Option(names = "--mode", defaultValue = "0600", paramLabel = "MODE", description = "Permission bits, octal (default 0600).")
    String mode;

    @Override
    String barrierArgument() {
        return barrier;
    }

    @Override
    public void run() {
        BarrierSpec s = MapSpec.barrier(name(), parties).mode(Integers.octal(mode));
        if (dir() != null) s = s.dir(dir());
        try (SharedBarrier b = SharedBarrier.create(s)) {
            out().printf("created barrier %s: %d parties (%s, mode %04o)%n", b.name(), b.parties(), s.file(), Integers.octal(mode));
        }
    }
}
