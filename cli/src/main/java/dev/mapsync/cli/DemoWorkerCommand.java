package dev.mapsync.cli;

import dev.mapsync.Backend;
import dev.mapsync.cli.demo.CounterPhase;
import dev.mapsync.cli.demo.LockPhase;
import dev.mapsync.cli.demo.QueuePhase;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** One worker process of the demo; started by {@code mapsync demo}, not by people. */
@Command(name = "demo-worker", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, hidden = true, description = "A worker process of the demo (internal).")
final class DemoWorkerCommand implements Callable<Integer> {
    @Parameters(index = "0")
    String phase;

    @Parameters(index = "1..*")
    List<String> args;

    @Override
    public Integer call() throws Exception {
        switch (phase) {
            case "counters" -> CounterPhase.work(args.get(0), dir(args.get(1)), Backend.valueOf(args.get(2)),
                    Integer.parseInt(args.get(3)), Integer.parseInt(args.get(4)), Long.parseLong(args.get(5)));
            case "watcher" -> CounterPhase.watch(args.get(0), dir(args.get(1)), Backend.valueOf(args.get(2)),
                    Integer.parseInt(args.get(3)));
            case "transfers" -> LockPhase.transfer(args.get(0), dir(args.get(1)), Backend.valueOf(args.get(2)),
                    Integer.parseInt(args.get(3)), Integer.parseInt(args.get(4)), Long.parseLong(args.get(5)));
            case "queue-producer" -> QueuePhase.produce(args.get(0), dir(args.get(1)), Backend.valueOf(args.get(2)),
                    Integer.parseInt(args.get(3)), Integer.parseInt(args.get(4)), Long.parseLong(args.get(5)));
            case "checker" -> LockPhase.check(args.get(0), dir(args.get(1)), Backend.valueOf(args.get(2)),
                    Integer.parseInt(args.get(3)));
            default -> throw new IllegalArgumentException("unknown demo phase " + phase);
        }
        return ExitCodes.OK;
    }

    private static Path dir(String arg) {
        return arg.equals("-") ? null : Path.of(arg);
    }
}
