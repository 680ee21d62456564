package dev.mapsync.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "add", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Atomically add DELTA to an entry (or to one field of it) and print the new value.",
                "On a hash map, an absent key is inserted with zeros, then added to.",
                "On a counter map, add to this process's cell of the counter and print the counter's sum."},
        footer = {"", "Examples:", "  mapsync add hits 3 1", "  mapsync add accounts 7 -10 --field balance",
                "  mapsync add sessions 4b1d9c 1 --field hits              # a hash map's key",
                "  mapsync add requests 0 5                                # a counter map's counter 0"})
final class AddCommand extends SchemaMapCommand implements Runnable {
    @Parameters(index = "1", paramLabel = "KEY", description = "An array's index, or a hash map's key in the text form values have.")
    String entry;

    @Parameters(index = "2", paramLabel = "DELTA", description = "A signed integer.")
    String delta;

    @Option(names = "--field", paramLabel = "FIELD", description = "The i32/i64 field of a record to add to (a.b for nested).")
    String field;

    @Override
    public String worksOn() {
        return "array, hash and counter maps";
    }

    @Override
    public void run() {
        withKeyed(false, array -> {
            Slots slots = Slots.of(array, field);
            out().println(slots.format(slots.addAndGet(index(entry), slots.parseDelta(delta))));
        }, hash -> {
            HashSlot slot = new HashSlot(hash, field);
            long d = slot.slots().parseDelta(delta);
            out().println(slot.slots().format(slot.addAndGet(key(hash, entry), d)));
        }, counters -> {
            if (field != null) throw new IllegalArgumentException("--field is for records; a counter is one i64");
            int index = index(entry);
            counters.add(index, counterDelta());
            out().println(counters.sum(index));
        });
    }

    /** DELTA for a counter: any 64-bit integer. */
    private long counterDelta() {
        try {
            return Long.parseLong(delta.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + delta + "' is not an integer delta for a 64-bit counter ("
                    + Long.MIN_VALUE + ".." + Long.MAX_VALUE + ")");
        }
    }
}
