package dev.mapsync.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "cas", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = {"Atomically replace EXPECTED with NEW (compare-and-swap) and print the value found.",
        "Exits 0 if the swap happened, 6 if the entry held another value (which is printed); on a hash map, 2 if the",
        "key is absent."},
        footer = {"", "Examples:", "  mapsync cas hits 3 0 42", "  mapsync cas jobs 7 1 2 --field state",
                "  mapsync cas sessions 4b1d9c 0 1 --field state          # a hash map's key, under its lock"})
final class CasCommand extends SchemaMapCommand implements java.util.concurrent.Callable<Integer> {
    @Parameters(index = "1", paramLabel = "KEY", description = "An array's index, or a hash map's key in the text form values have.")
    String entry;

    @Parameters(index = "2", paramLabel = "EXPECTED")
    String expected;

    @Parameters(index = "3", paramLabel = "NEW")
    String update;

    @Option(names = "--field", paramLabel = "FIELD", description = "The i32/i64 field of a record (a.b for nested).")
    String field;

    @Override
    public Integer call() {
        int[] exit = new int[1];
        withKeyed(false, array -> {
            Slots slots = Slots.of(array, field);
            long want = slots.parse(expected);
            long witness = slots.compareAndExchange(index(entry), want, slots.parse(update));
            out().println(slots.format(witness));
            exit[0] = slots.sameBits(witness, want) ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
        }, hash -> {
            HashSlot slot = new HashSlot(hash, field);
            Slots slots = slot.slots();
            long want = slots.parse(expected);
            long witness = slot.compareAndExchange(key(hash, entry), entry, want, slots.parse(update));
            out().println(slots.format(witness));
            exit[0] = slots.sameBits(witness, want) ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
        });
        return exit[0];
    }
}
