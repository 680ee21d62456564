package dev.mapsync.cli;

import dev.mapsync.InvalidValueException;
import dev.mapsync.Schema;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedHashMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "get", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Print one entry, field by field (the format set accepts).",
        footer = {"", "Examples:", "  mapsync get accounts 7", "  mapsync get sessions 4b1d9c --json",
                "  mapsync get flows src=10,dst=11,port=443      # a hash map with a struct key"})
final class GetCommand extends SchemaMapCommand implements Runnable {
    @Parameters(index = "1", paramLabel = "INDEX",
            description = "An array's index, or a hash map's key in the text form values have (42, ada, \"a, b\", shard=1,name=x).")
    String entry;

    @Option(names = "--json", description = "Print a JSON document: a number, string, array, or an object keyed by field name.")
    boolean json;

    @Override
    public String worksOn() {
        return "array and hash maps";
    }

    @Override
    public void run() {
        withKeyed(true, array -> print(array.codec().schema(), read(array, index(entry))), hash -> {
            Object key = key(hash, entry);
            Object value;
            try {
                value = hash.get(key);
            } catch (InvalidValueException e) {
                throw notAValue(hash.name(), "the value of key " + entry, e);
            }
            if (value == null) throw new KeyNotFoundException(hash.name(), entry);
            print(hash.valueCodec().schema(), value);
        });
    }

    private void print(Schema schema, Object value) {
        out().println(json ? Json.of(ValueText.jsonValue(schema, value)) : ValueText.format(schema, value));
    }
}
