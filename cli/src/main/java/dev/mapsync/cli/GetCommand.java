package dev.mapsync.cli;

import dev.mapsync.SharedArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "get", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = "Print one entry, field by field (the format set accepts).")
final class GetCommand extends MapCommand implements Runnable {
    @Parameters(index = "1", paramLabel = "INDEX")
    int index;

    @Option(names = "--json", description = "Print a JSON document: a number, string, array, or an object keyed by field name.")
    boolean json;

    @Override
    public void run() {
        try (SharedArray<Object> array = open(true)) {
            var schema = array.codec().schema();
            Object value = array.get(index);
            out().println(json ? Json.of(ValueText.jsonValue(schema, value)) : ValueText.format(schema, value));
        }
    }
}
