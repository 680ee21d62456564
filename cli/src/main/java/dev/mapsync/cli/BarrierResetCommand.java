package dev.mapsync.cli;

import dev.mapsync.SharedBarrier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "reset", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Start a fresh generation: parties waiting now get a broken barrier, a broken barrier can be used",
                "again, and the seats of parties that are gone are freed."})
final class BarrierResetCommand extends BarrierSubcommand implements Runnable {
    @Parameters(index = "0", paramLabel = "BARRIER")
    String barrier;

    @Override
    String barrierArgument() {
        return barrier;
    }

    @Override
    public void run() {
        try (SharedBarrier b = SharedBarrier.open(existing())) {
            b.reset();
        }
    }
}
