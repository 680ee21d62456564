package dev.mapsync.cli;

import dev.mapsync.SharedArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "unlock", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Free an entry's lock whose owner died (waiters do this by themselves; this is for maps nobody",
                "waits on). Refuses, with exit code 6, when the owner is alive."})
final class UnlockCommand extends MapCommand implements Callable<Integer> {
    @Parameters(index = "1", paramLabel = "KEY")
    int key;

    @Option(names = "--force", required = true, description = "Required: say that you mean to free another owner's lock.")
    boolean force;

    @Override
    public Integer call() {
        try (SharedArray<Object> array = open(false)) {
            out().println(array.forceUnlock(key));
            return ExitCodes.OK;
        } catch (IllegalStateException e) {
            spec.commandLine().getErr().println("mapsync: " + e.getMessage());
            return ExitCodes.CHECK_FAILED;
        }
    }
}
