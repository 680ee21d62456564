package dev.mapsync.cli;

import dev.mapsync.MapLocation;
import dev.mapsync.LockGuard;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "lock", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Run a command while holding an entry's lock, like flock(1); the exit status is the command's.",
                "On a hash map, the lock that guards the key (its segment's, which every write of the key takes).",
                "Warns on stderr when it took the lock over from an owner that died."},
        footer = {"", "Examples:", "  mapsync lock accounts 7 --timeout 5s -- ./rebalance.sh 7",
                "  mapsync lock sessions 4b1d9c -- ./expire.sh 4b1d9c     # a hash map's key"})
final class LockCommand extends MapCommand implements Callable<Integer> {
    @Parameters(index = "1", paramLabel = "KEY",
            description = "The entry whose lock to hold: an array's index, or a hash map's key in the text form values have.")
    String key;

    @Parameters(index = "2..*", paramLabel = "COMMAND", arity = "1..*", description = "The command and its arguments, after --.")
    List<String> command;

    @Option(names = "--timeout", paramLabel = "T", converter = DurationConverter.class,
            description = "How long to wait for the lock (default: the map's lock timeout, 30 s).")
    Duration timeout;

    @Override
    MapLocation existing() {
        return within(super.existing(), timeout);
    }

    @Override
    boolean controlRegionNeeded() {
        return true;
    }

    @Override
    public Integer call() {
        int[] exit = new int[1];
        withKeyed(false, array -> {
            int index = index(key);
            exit[0] = runHolding(timeout == null ? array.lock(index) : array.lock(index, timeout), "entry " + key);
        }, hash -> {
            Object k = key(hash, key);
            exit[0] = runHolding(timeout == null ? hash.lock(k) : hash.lock(k, timeout), "key " + key);
        });
        return exit[0];
    }

    /** Runs the command while {@code held} is held, then releases it; returns the command's exit status. */
    private int runHolding(LockGuard held, String what) {
        try (held) {
            if (held.previousOwnerDied()) {
                err().println("mapsync: warning: took over the lock of " + what + " of " + ref()
                        + " from an owner that died while holding it; the entry may need repair");
                err().flush();
            }
            out().flush();
            Process p;
            try {
                p = new ProcessBuilder(command).inheritIO().start();
            } catch (IOException e) {
                err().println("mapsync: cannot run " + command.getFirst() + ": " + e.getMessage());
                return 127;
            }
            try {
                return p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroy();
                return 130;
            }
        }
    }
}
