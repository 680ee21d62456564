package dev.mapsync.cli;

import dev.mapsync.CounterCell;
import dev.mapsync.InvalidValueException;
import dev.mapsync.PerCpu;
import dev.mapsync.Schema;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedCounters;
import dev.mapsync.SharedHashMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Command(name = "get", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Print one entry, field by field (the format set accepts).",
                "On a counter map, print one counter's sum over every process's cell (--cells: each cell)."},
        footer = {"", "Examples:", "  mapsync get accounts 7", "  mapsync get sessions 4b1d9c --json",
                "  mapsync get flows src=10,dst=11,port=443      # a hash map with a struct key",
                "  mapsync get bpf:pkts 0 --per-cpu              # a per-CPU kernel map: each CPU's value",
                "  mapsync get requests 0 --cells                # a counter map: each process slot's cell"})
final class GetCommand extends SchemaMapCommand implements Runnable {
    @Parameters(index = "1", paramLabel = "INDEX",
            description = "An array's index, or a hash map's key in the text form values have (42, ada, \"a, b\", shard=1,name=x).")
    String entry;

    @Option(names = "--json", description = "Print a JSON document: a number, string, array, or an object keyed by field name.")
    boolean json;

    @Option(names = "--per-cpu", description = "A per-CPU kernel map: print each CPU's value, one line each (cpuN VALUE), instead of their sum; with --json an object of the values and the sum.")
    boolean perCpu;

    @Option(names = "--cells", description = "A counter map: print each process slot's cell of the counter, one line each (slot S pid P VALUE), instead of their sum; with --json an object of the cells and the sum.")
    boolean cells;

    @Override
    public String worksOn() {
        return "array, hash and counter maps";
    }

    @Override
    public void run() {
        if (perCpu) {
            withKeyed(true, array -> {
                noCells();
                int index = index(entry);
                PerCpu<Object> values;
                try {
                    values = array.getPerCpu(index);
                } catch (InvalidValueException e) {
                    throw notAValue(array.name(), "entry " + index, e);
                }
                printPerCpu(array.codec().schema(), values);
            }, hash -> {
                noCells();
                Object key = key(hash, entry); // outside the try: a key that does not fit is a usage error
                PerCpu<Object> values;
                try {
                    values = hash.getPerCpu(key);
                } catch (InvalidValueException e) {
                    throw notAValueOfKey(hash.name(), entry, e);
                }
                if (values == null) throw new KeyNotFoundException(hash.name(), entry);
                printPerCpu(hash.valueCodec().schema(), values);
            }, counters -> printCounter(counters, index(entry)));
            return;
        }
        withKeyed(true, array -> {
            noCells();
            print(array.codec().schema(), read(array, index(entry)));
        }, hash -> {
            noCells();
            Object value = read(hash, key(hash, entry), entry);
            if (value == null) throw new KeyNotFoundException(hash.name(), entry);
            print(hash.valueCodec().schema(), value);
        }, counters -> printCounter(counters, index(entry)));
    }

    private void noCells() {
        if (cells) throw new IllegalArgumentException("--cells is for counter maps (create --type counter)");
    }

    /** Each CPU's value, a line each; with --json {"cpus":[...],"sum":S}. */
    private void printPerCpu(Schema schema, PerCpu<Object> values) {
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cpus", values.values().stream().map(v -> ValueText.jsonValue(schema, v)).toList());
            m.put("sum", ValueText.jsonValue(schema, values.sum()));
            out().println(Json.of(m));
            return;
        }
        for (int cpu = 0; cpu < values.cpus(); cpu++) {
            out().println("cpu" + cpu + " " + ValueText.format(schema, values.values().get(cpu)));
        }
    }

    /** A counter's sum; with --cells each cell, a line each; with --json {"cells":[...],"sum":S}. */
    private void printCounter(SharedCounters counters, int index) {
        if (perCpu) throw new IllegalArgumentException("--per-cpu is for per-CPU kernel maps; a counter map has --cells");
        if (!cells) {
            out().println(counters.sum(index));
            return;
        }
        List<CounterCell> list = counters.cells(index);
        long sum = 0;
        for (CounterCell c : list) sum += c.value();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cells", list.stream().map(c -> {
                Map<String, Object> cell = new LinkedHashMap<>();
                cell.put("slot", c.slot());
                cell.put("pid", c.pid());
                cell.put("value", c.value());
                return cell;
            }).toList());
            m.put("sum", sum);
            out().println(Json.of(m));
            return;
        }
        for (CounterCell c : list) out().println("slot " + c.slot() + " pid " + c.pid() + " " + c.value());
    }

    private void print(Schema schema, Object value) {
        out().println(json ? Json.of(ValueText.jsonValue(schema, value)) : ValueText.format(schema, value));
    }
}
