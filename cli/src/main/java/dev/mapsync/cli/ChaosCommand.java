package dev.mapsync.cli;

import dev.mapsync.Backend;
import dev.mapsync.cli.chaos.Setup;
import dev.mapsync.cli.chaos.Soak;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;

@Command(name = "chaos", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = {
        "A chaos soak: worker processes make locked transfers between record accounts, write records, put and remove",
        "hash map keys, send queue records and meet at a barrier, while their processes are killed (SIGKILL) at random",
        "moments, inside operations and in the middle of writes, and restarted in the same slots. After every round",
        "the workers pause and every invariant is checked: the accounts' total is exact, every acknowledged write,",
        "put, remove and queue record is there (once, in order), no record is ever read half-written, a killed party",
        "breaks the barrier promptly, survivors and replacements go on, no JVM crashed, nothing hung. The maps, worker",
        "logs and any crash report go into a folder of the soak's own (chaos-PID) under --dir, removed if all held.",
        "Prints a line per round and a summary; exits 0 when every invariant held, 6 when one did not."})
final class ChaosCommand implements Callable<Integer> {
    @ParentCommand
    Main root;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--duration", defaultValue = "30s", converter = DurationConverter.class, paramLabel = "TIME",
            description = "How long to go on starting rounds, such as 30s, 10m or 1h (default ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--rounds", defaultValue = "0", paramLabel = "N",
            description = "Stop after this many rounds, even before the duration is over (default: no limit).")
    int rounds;

    @Option(names = "--round", defaultValue = "5s", converter = DurationConverter.class, paramLabel = "TIME",
            description = "How long the workers run, and are killed, in each round (default ${DEFAULT-VALUE}).")
    Duration round;

    @Option(names = "--kills", defaultValue = "6", paramLabel = "N",
            description = "At most this many kills per round, at random moments (default ${DEFAULT-VALUE}).")
    int kills;

    @Option(names = "--processes", defaultValue = "2", paramLabel = "P",
            description = "Worker processes of each kind, 2 to 8 (default ${DEFAULT-VALUE}).")
    int processes;

    @Option(names = "--seed", paramLabel = "N",
            description = "Seed of the random choices (default: a random one, printed).")
    Long seed;

    @Option(names = "--backend", defaultValue = "shm", paramLabel = "shm|bpf",
            description = "Where the arrays, the hash map and the queue live (default ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--keep",
            description = "Keep the soak's folder (maps, worker logs, events.log) even when every invariant held.")
    boolean keep;

    @Option(names = "--json", description = "End with the summary as one JSON object: ok, backend, seed, rounds, kills,"
            + " operations, violations, crashes, hangs, and the figures of each part.")
    boolean json;

    @Override
    public Integer call() {
        if (duration.isZero()) throw new IllegalArgumentException("--duration must be more than 0");
        if (round.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("--round must be at least 1s, not " + DurationText.of(round));
        }
        if (rounds < 0) throw new IllegalArgumentException("--rounds must be 0 (no limit) or more, not " + rounds);
        if (kills < 1 || kills > 100) throw new IllegalArgumentException("--kills must be 1..100, not " + kills);
        if (processes < 2 || processes > Setup.MAX_PROCESSES) {
            throw new IllegalArgumentException("--processes must be 2.." + Setup.MAX_PROCESSES + ", not " + processes);
        }
        Backend b = BackendName.parse(backend);
        long s = seed != null ? seed : ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        var out = spec.commandLine().getOut();
        Soak.Options options = new Soak.Options(root.dir, b, processes, duration, rounds, round, kills, s, keep);
        Soak.Outcome outcome = Soak.run(options, out);
        if (json) out.println(Json.of(outcome.summary()));
        out.flush();
        return outcome.ok() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
    }
}
