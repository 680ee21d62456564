package dev.mapsync.cli;

import dev.mapsync.SharedArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "cas", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = {"Atomically replace EXPECTED with NEW (compare-and-swap) and print the value found.",
        "Exits 0 if the swap happened, 6 if the entry held another value (which is printed)."})
final class CasCommand extends MapCommand implements java.util.concurrent.Callable<Integer> {
    @Parameters(index = "1", paramLabel = "INDEX")
    int index;

    @Parameters(index = "2", paramLabel = "EXPECTED")
    String expected;

    @Parameters(index = "3", paramLabel = "NEW")
    String update;

    @Option(names = "--field", paramLabel = "FIELD", description = "The i32/i64 field of a record (a.b for nested).")
    String field;

    @Override
    public Integer call() {
        try (SharedArray<Object> array = open(false)) {
            Slots slots = Slots.of(array, field);
            long want = slots.parse(expected);
            long witness = slots.compareAndExchange(index, want, slots.parse(update));
            out().println(slots.format(witness));
            return slots.sameBits(witness, want) ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
        }
    }
}
