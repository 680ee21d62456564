package dev.mapsync.cli;

import dev.mapsync.SharedArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.Map;

@Command(name = "dump", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = "Print every entry, one per line: INDEX<TAB>VALUE, or JSON lines with --json.")
final class DumpCommand extends MapCommand implements Runnable {
    @Option(names = "--json", description = "One JSON object per line: {\"index\":I,\"value\":V}.")
    boolean json;

    @Option(names = "--nonzero", description = "Leave out entries whose bytes are all zero.")
    boolean nonZero;

    @Override
    public void run() {
        try (SharedArray<Object> array = open(true)) {
            var schema = array.codec().schema();
            Object zero = nonZero ? array.codec().read(java.lang.foreign.MemorySegment.ofArray(new byte[schema.size()]), 0) : null;
            for (int i = 0; i < array.length(); i++) {
                Object value = array.get(i);
                if (nonZero && ValueText.format(schema, value).equals(ValueText.format(schema, zero))) continue;
                if (json) {
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("index", i);
                    line.put("value", ValueText.jsonValue(schema, value));
                    out().println(Json.of(line));
                } else {
                    out().println(i + "\t" + ValueText.format(schema, value));
                }
                if (out().checkError()) return; // the reader went away (e.g. head): stop quietly
            }
        }
    }
}
