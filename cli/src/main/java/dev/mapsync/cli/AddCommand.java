package dev.mapsync.cli;

import dev.mapsync.SharedArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "add", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = "Atomically add DELTA to an entry (or to one field of it) and print the new value.")
final class AddCommand extends MapCommand implements Runnable {
    @Parameters(index = "1", paramLabel = "INDEX")
    int index;

    @Parameters(index = "2", paramLabel = "DELTA", description = "A signed integer.")
    String delta;

    @Option(names = "--field", paramLabel = "FIELD", description = "The i32/i64 field of a record to add to (a.b for nested).")
    String field;

    @Override
    public void run() {
        try (SharedArray<Object> array = open(false)) {
            Slots slots = Slots.of(array, field);
            out().println(slots.format(slots.addAndGet(index, slots.parseDelta(delta))));
        }
    }
}
