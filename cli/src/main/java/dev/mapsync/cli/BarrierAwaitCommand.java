package dev.mapsync.cli;

import dev.mapsync.MapLocation;
import dev.mapsync.SharedBarrier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;

@Command(name = "await", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Arrive at a barrier as one party and wait for the others; print the generation that tripped.",
                "Exits 124 when they did not all come within --timeout (which breaks the barrier for them), and 5 when",
                "the barrier broke (a party died or timed out, or it was reset) or was broken already."},
        footer = {"", "Example:", "  ./phase1.sh && mapsync barrier await phase --timeout 60s && ./phase2.sh"})
final class BarrierAwaitCommand extends BarrierSubcommand implements Runnable {
    @Parameters(index = "0", paramLabel = "BARRIER")
    String barrier;

    @Option(names = "--timeout", defaultValue = "30s", paramLabel = "T", converter = DurationConverter.class,
            description = "How long to wait for the other parties (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    MapLocation existing() {
        return MapCommand.within(super.existing(), timeout);
    }

    @Override
    String barrierArgument() {
        return barrier;
    }

    @Override
    public void run() {
        try (SharedBarrier b = SharedBarrier.open(existing())) {
            long generation = b.await(timeout);
            out().println(generation);
        }
    }
}
