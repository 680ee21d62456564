package dev.mapsync.cli;

import dev.mapsync.LockGuard;
import dev.mapsync.SharedArray;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "lock", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Run a command while holding an entry's lock, like flock(1); the exit status is the command's.",
                "Warns on stderr when it took the lock over from an owner that died."},
        footer = {"", "Example:", "  mapsync lock accounts 7 --timeout 5s -- ./rebalance.sh 7"})
final class LockCommand extends MapCommand implements Callable<Integer> {
    @Parameters(index = "1", paramLabel = "KEY", description = "The entry whose lock to hold.")
    int key;

    @Parameters(index = "2..*", paramLabel = "COMMAND", arity = "1..*", description = "The command and its arguments, after --.")
    List<String> command;

    @Option(names = "--timeout", paramLabel = "T", converter = DurationConverter.class,
            description = "How long to wait for the lock (default: the map's lock timeout, 30 s).")
    Duration timeout;

    @Override
    public Integer call() throws InterruptedException {
        try (SharedArray<Object> array = open(false);
             LockGuard held = timeout == null ? array.lock(key) : array.lock(key, timeout)) {
            if (held.previousOwnerDied()) {
                spec.commandLine().getErr().println("mapsync: warning: took over the lock of entry " + key + " of "
                        + ref() + " from an owner that died while holding it; the entry may need repair");
                spec.commandLine().getErr().flush();
            }
            spec.commandLine().getOut().flush();
            Process p;
            try {
                p = new ProcessBuilder(command).inheritIO().start();
            } catch (IOException e) {
                spec.commandLine().getErr().println("mapsync: cannot run " + command.getFirst() + ": " + e.getMessage());
                return 127;
            }
            return p.waitFor();
        }
    }
}
