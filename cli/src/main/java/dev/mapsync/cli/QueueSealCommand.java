package dev.mapsync.cli;

import dev.mapsync.SharedRing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "seal", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Seal a queue: it takes no more records; its consumer reads what is left, then 'take --follow' ends."})
final class QueueSealCommand extends QueueSubcommand implements Runnable {
    @Parameters(index = "0", paramLabel = "QUEUE")
    String queue;

    @Override
    public String mapArgument() {
        return queue;
    }

    @Override
    public void run() {
        try (SharedRing ring = SharedRing.open(existing())) {
            ring.seal();
        }
    }
}
