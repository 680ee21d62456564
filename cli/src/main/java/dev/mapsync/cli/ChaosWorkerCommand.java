package dev.mapsync.cli;

import dev.mapsync.cli.chaos.WorkerMain;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

/** One worker process of the chaos soak; started by {@code mapsync chaos}, not by people. */
@Command(name = "chaos-worker", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, hidden = true,
        description = "A worker process of the chaos soak (internal).")
final class ChaosWorkerCommand implements Callable<Integer> {
    @Parameters(index = "0")
    String kind;

    @Parameters(index = "1")
    int slot;

    @Parameters(index = "2")
    long seed;

    @Parameters(index = "3..*")
    List<String> setup;

    @Override
    public Integer call() {
        try {
            WorkerMain.run(kind, slot, seed, setup);
            return ExitCodes.OK;
        } catch (Throwable e) {
            // the log is all the coordinator has: the whole trace, not one line
            e.printStackTrace(System.out);
            System.out.flush();
            return ExitCodes.OTHER;
        }
    }
}
