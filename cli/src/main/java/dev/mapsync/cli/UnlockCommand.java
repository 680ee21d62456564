package dev.mapsync.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "unlock", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Free an entry's lock whose owner died (waiters do this by themselves; this is for maps nobody",
                "waits on). Refuses, with exit code 6, when the owner is alive. On a hash map, the lock of the key's segment."})
final class UnlockCommand extends MapCommand implements Callable<Integer> {
    @Parameters(index = "1", paramLabel = "KEY", description = "An array's index, or a hash map's key in the text form values have.")
    String entry;

    @Option(names = "--force", required = true, description = "Required: say that you mean to free another owner's lock.")
    boolean force;

    @Override
    boolean controlRegionNeeded() {
        return true;
    }

    @Override
    public Integer call() {
        try {
            String[] done = new String[1];
            withKeyed(false, array -> done[0] = array.forceUnlock(index(entry)),
                    hash -> done[0] = hash.forceUnlock(key(hash, entry)));
            out().println(done[0]);
            return ExitCodes.OK;
        } catch (IllegalStateException e) {
            err().println("mapsync: " + e.getMessage());
            return ExitCodes.CHECK_FAILED;
        }
    }
}
