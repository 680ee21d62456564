package dev.mapsync;

import dev.mapsync.internal.store.Bpffs;
import dev.mapsync.internal.sys.Cpus;
import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.testkit.CPrograms;
import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.PerCpuCounters;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-CPU kernel maps between libmapsync (built with libbpf) and the Java library (FORMAT.md §6, §10.8): what Java
 * writes and what a BPF program counts on each of two CPUs, C reads CPU by CPU and as the sum, exactly as Java's
 * getPerCpu gives them; what C writes (every CPU's value) Java reads; C's removes of a per-CPU hash map Java sees
 * and watches; C's adds are refused as Java's are; a per-CPU array pinned by bpftool and adopted by Java opens in C.
 */
class CBpfPerCpuInteropTest {
    /** {@code packets:i64,drops:i32,tag:char[4]}. */
    public record Counts(long packets, int drops, @Chars(4) String tag) {}

    @TempDir
    Path dir;

    @RegisterExtension
    final KernelAssumptions.Pins pins = new KernelAssumptions.Pins();

    private final String name = KernelAssumptions.uniqueName("cpc");

    @BeforeEach
    void needsBpf() {
        Machine.requireBpf();
    }

    private CPrograms.Result c(String map, String... args) {
        List<String> command = new ArrayList<>(List.of(CPrograms.testProgram("percpu_tool", Backend.BPF).toString(), map));
        command.addAll(List.of(args));
        return CPrograms.run(Map.of("MAPSYNC_DIR", dir.toString()), command);
    }

    private static String line(Counts c) {
        return "packets=" + c.packets() + " drops=" + c.drops() + " tag=" + c.tag();
    }

    /** What percpu_tool's get prints of {@code p}. */
    static <V> String printed(PerCpu<V> p, Function<V, String> line) {
        StringBuilder s = new StringBuilder();
        for (int cpu = 0; cpu < p.cpus(); cpu++) s.append("cpu").append(cpu).append(' ').append(line.apply(p.values().get(cpu))).append('\n');
        return s.append("sum ").append(line.apply(p.sum())).append('\n').toString();
    }

    static <V> List<V> perCpu(Function<Integer, V> of) {
        List<V> values = new ArrayList<>();
        for (int cpu = 0; cpu < Cpus.possible(); cpu++) values.add(of.apply(cpu));
        return values;
    }

    @Test
    void cReadsEachCpusValueAndTheSumOfWhatJavaAndABpfProgramWrote() {
        int cpus = PerCpuCounters.requireTwoCpus();
        Path pin = pins.track(Bpffs.defaultPin(name));
        var spec = MapSpec.array(name, Counts.class, 3).backend(Backend.BPF).perCpu(true).dir(dir);
        try (SharedArray<Counts> counts = SharedArray.create(spec)) {
            counts.set(1, new Counts(100, -2, "eth0"));
            PerCpuCounters.increment(pin, 1, 3, 5); // CPU 0 three times, CPU 1 five times
            PerCpu<Counts> one = counts.getPerCpu(1);
            List<Counts> expected = perCpu(cpu -> new Counts(cpu == 0 ? 103 : cpu == 1 ? 105 : 100, -2, "eth0"));
            assertEquals(new PerCpu<>(expected, new Counts(100L * cpus + 8, -2 * cpus, "eth0")), one);

            CPrograms.Result got = c(name, "get", "1");
            assertEquals(printed(one, CBpfPerCpuInteropTest::line), got.out(), got.err());
            assertEquals(line(one.sum()) + "\n", c(name, "sum", "1").out());
            assertEquals(printed(counts.getPerCpu(0), CBpfPerCpuInteropTest::line), c(name, "get", "0").out());

            // C writes every CPU's value; Java reads each and the sum
            CPrograms.Result set = c(name, "set", "2", "7", "-1", "lo");
            assertEquals("set\n", set.out(), set.err());
            assertEquals(new PerCpu<>(perCpu(cpu -> new Counts(7, -1, "lo")), new Counts(7L * cpus, -cpus, "lo")),
                    counts.getPerCpu(2));
            assertEquals(new Counts(7L * cpus, -cpus, "lo"), counts.get(2));

            CPrograms.Result add = c(name, "add", "1", "1");
            assertEquals(3, add.exit());
            assertEquals("map " + name + " is a per-CPU array: it has no atomic slots, since each CPU updates its own"
                    + " value and only bpf(2) copies them; use mapsync_read (the sum), mapsync_read_per_cpu and"
                    + " mapsync_write\n",
                    add.err());
            assertEquals(one, counts.getPerCpu(1)); // untouched
        }
    }

    @Test
    void perCpuHashMapsBetweenCAndJava() throws Exception {
        int cpus = PerCpuCounters.requireTwoCpus();
        for (boolean lru : List.of(false, true)) {
            String map = name + (lru ? "l" : "p");
            Path pin = pins.track(Bpffs.defaultPin(map));
            var spec = HashSpec.of(map, Codec.i32(), Codec.u64(), 16).backend(Backend.BPF).perCpu(true).lru(lru).dir(dir);
            try (SharedHashMap<Integer, Long> hits = SharedHashMap.create(spec);
                 KeyChangeCursor<Integer> cursor = hits.changes()) {
                hits.put(2, 0L);
                hits.put(3, 1L);
                PerCpuCounters.increment(pin, 2, 2, 7);
                PerCpu<Long> two = hits.getPerCpu(2);
                assertEquals(new PerCpu<>(perCpu(cpu -> cpu == 0 ? 2L : cpu == 1 ? 7L : 0L), 9L), two);
                CPrograms.Result got = c(map, "get", "2");
                assertEquals(printed(two, String::valueOf), got.out(), got.err());
                assertEquals("9\n", c(map, "sum", "2").out());
                assertEquals("4 absent\n", c(map, "get", "4").out());
                assertEquals(List.of("2 9", "3 " + cpus), List.of(c(map, "list").out().split("\n")).stream().sorted().toList());
                List<String> each = new ArrayList<>();
                for (int cpu = 0; cpu < cpus; cpu++) {
                    each.add("2 cpu" + cpu + " " + two.values().get(cpu));
                    each.add("3 cpu" + cpu + " 1");
                }
                assertEquals(each.stream().sorted().toList(),
                        List.of(c(map, "list-cpus").out().split("\n")).stream().sorted().toList());

                assertEquals("set\n", c(map, "set", "5", "40").out());
                assertEquals(new PerCpu<>(perCpu(cpu -> 40L), 40L * cpus), hits.getPerCpu(5));
                assertEquals("removed\n", c(map, "remove", "3").out());
                assertNull(hits.get(3));
                CPrograms.Result add = c(map, "add", "2", "1");
                assertEquals(3, add.exit());
                assertEquals("map " + map + " is a per-CPU hash map: an add would write the new sum as every CPU's value;"
                        + " read the sum with mapsync_hash_get, or put a value (every CPU's)\n", add.err());
                assertEquals(two, hits.getPerCpu(2));
                assertEquals(2, hits.size());

                List<String> seen = new ArrayList<>();
                List<String> expected = List.of("PUT 2", "PUT 3", "PUT 5", "REMOVE 3");
                while (seen.size() < expected.size()) {
                    List<KeyChangeEvent<Integer>> changes = cursor.poll(Duration.ofSeconds(10));
                    assertTrue(!changes.isEmpty(), "changes stopped after " + seen);
                    for (KeyChangeEvent<Integer> e : changes) {
                        seen.add(e instanceof KeyChange<Integer> k ? k.kind() + " " + k.key() : e.toString());
                    }
                }
                assertEquals(expected, seen);
            }
        }
    }

    @Test
    void aPerCpuArrayPinnedByBpftoolAndAdoptedByJavaOpensInC() {
        int cpus = PerCpuCounters.requireTwoCpus();
        Path pin = pins.track(Bpffs.ROOT.resolve(name));
        KernelAssumptions.bpftool("map", "create", pin.toString(), "type", "percpu_array", "key", "4", "value", "8",
                "entries", "2", "name", "foreign").ok();
        try (SharedArray<Long> a = SharedArray.open(MapSpec.pinned(pin, Codec.u64()).perCpu(true).dir(dir))) {
            a.set(0, 7L);
            PerCpuCounters.increment(pin, 1, 1, 2);
            assertEquals(printed(new PerCpu<>(perCpu(cpu -> 7L), 7L * cpus), String::valueOf), c(name, "get", "0").out());
            CPrograms.Result one = c(name, "get", "1");
            assertEquals(printed(new PerCpu<>(perCpu(cpu -> cpu == 0 ? 1L : cpu == 1 ? 2L : 0L), 3L), String::valueOf),
                    one.out(), one.err());
            assertEquals("set\n", c(name, "set", "1", "11").out());
            assertEquals(new PerCpu<>(perCpu(cpu -> 11L), 11L * cpus), a.getPerCpu(1));
        }
    }
}
