package dev.mapsync.cli;

import dev.mapsync.SharedCounters;
import dev.mapsync.InvalidValueException;
import dev.mapsync.Schema;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedHashMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.Map;

@Command(name = "dump", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Print every entry, one per line: INDEX<TAB>VALUE (arrays), KEY<TAB>VALUE (hash maps) or INDEX<TAB>SUM (counter maps), or JSON lines with --json.",
                "Entries stream out as they are read: a kernel hash map a few hundred per system call (BPF_MAP_LOOKUP_BATCH)."})
final class DumpCommand extends SchemaMapCommand implements Runnable {
    @Option(names = "--json", description = "One JSON object per line: {\"index\":I,\"value\":V}, or {\"key\":K,\"value\":V} for hash maps.")
    boolean json;

    @Option(names = "--nonzero", description = "Leave out entries whose bytes are all zero.")
    boolean nonZero;

    /** Ends a dump early when the reader went away (such as head). */
    private static final class Stop extends RuntimeException {
        Stop() {
            super(null, null, false, false);
        }
    }

    @Override
    public String worksOn() {
        return "array, hash and counter maps";
    }

    @Override
    public void run() {
        withKeyed(true, this::dumpArray, this::dumpHash, this::dumpCounters);
    }

    /** A counter map: each counter's sum, INDEX<TAB>SUM. */
    private void dumpCounters(SharedCounters counters) {
        long[] sums = counters.sums(); // one walk over the used slots for every counter
        for (int i = 0; i < sums.length; i++) {
            long sum = sums[i];
            if (nonZero && sum == 0) continue;
            if (json) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("index", i);
                line.put("value", sum);
                out().println(Json.of(line));
            } else {
                out().println(i + "\t" + sum);
            }
            if (out().checkError()) return; // the reader went away
        }
    }

    private void dumpArray(SharedArray<Object> array) {
        var schema = array.codec().schema();
        String zero = nonZero ? ValueText.format(schema, ValueText.zero(schema)) : null;
        int[] last = {-1}; // forEach goes in index order: an entry that fails to decode is the one after the last
        try {
            // forEach copies a kernel map that cannot be mapped (a per-CPU array too) by BPF_MAP_LOOKUP_BATCH
            array.forEach((value, i) -> {
                last[0] = i;
                if (nonZero && ValueText.format(schema, value).equals(zero)) return;
                if (json) {
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("index", i);
                    line.put("value", ValueText.jsonValue(schema, value));
                    out().println(Json.of(line));
                } else {
                    out().println(i + "\t" + ValueText.format(schema, value));
                }
                if (out().checkError()) throw new Stop(); // the reader went away (e.g. head): stop quietly
            });
        } catch (Stop stopped) {
            // the reader went away
        } catch (InvalidValueException e) {
            throw notAValue(array.name(), "entry " + (last[0] + 1), e);
        }
    }

    private void dumpHash(SharedHashMap<Object, Object> hash) {
        try {
            Schema keys = hash.keyCodec().schema(), values = hash.valueCodec().schema();
            String zero = nonZero ? ValueText.format(values, ValueText.zero(values)) : null;
            hash.forEach((k, v) -> {
                if (nonZero && ValueText.format(values, v).equals(zero)) return;
                if (json) {
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("key", ValueText.jsonValue(keys, k));
                    line.put("value", ValueText.jsonValue(values, v));
                    out().println(Json.of(line));
                } else {
                    out().println(ValueText.format(keys, k) + "\t" + ValueText.format(values, v));
                }
                if (out().checkError()) throw new Stop();
            });
        } catch (Stop stopped) {
            // the reader went away: stop quietly
        } catch (InvalidValueException e) {
            throw notAValue(MapRef.parse(map).toString(), "an entry", e);
        }
    }
}
