package dev.mapsync;

import dev.mapsync.internal.store.Bpffs;
import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.testkit.CPrograms;
import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.PerCpuCounters;
import dev.mapsync.testkit.PythonClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.mapsync.CBpfPerCpuInteropTest.perCpu;
import static dev.mapsync.CBpfPerCpuInteropTest.printed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-CPU kernel maps between the Python client (its libmapsync built with libbpf) and the Java library: what Java
 * writes and what a BPF program counts on each of two CPUs, Python reads CPU by CPU (get_per_cpu) and as the sum
 * (get, as Java's get), exactly as Java's getPerCpu gives them; what Python writes (every CPU's value) Java reads; a
 * per-CPU hash map Python lists, per key and per CPU, and removes from as Java watches; Python's adds are refused as
 * Java's are.
 */
class PyBpfPerCpuInteropTest {
    /** {@code packets:i64,drops:i32,tag:char[4]}. */
    public record Counts(long packets, int drops, @Chars(4) String tag) {}

    @TempDir
    Path dir;

    @RegisterExtension
    final KernelAssumptions.Pins pins = new KernelAssumptions.Pins();

    private final String name = KernelAssumptions.uniqueName("pypc");

    @BeforeEach
    void needsBpfAndPython() {
        Machine.requireBpf();
        Machine.requireLibbpf(); // pip builds the package's libmapsync with libbpf when the compiler finds it
        PythonClient.require();
    }

    private static String line(Counts c) {
        return "packets=" + c.packets() + " drops=" + c.drops() + " tag=" + c.tag();
    }

    private CPrograms.Result py(String map, Object... args) {
        Object[] all = new Object[args.length + 1];
        all[0] = "bpf:" + map;
        System.arraycopy(args, 0, all, 1, args.length);
        return PythonClient.run(dir, "percpu", all);
    }

    @Test
    void pythonReadsEachCpusValueAndTheSumOfWhatJavaAndABpfProgramWrote() {
        int cpus = PerCpuCounters.requireTwoCpus();
        Path pin = pins.track(Bpffs.defaultPin(name));
        var spec = MapSpec.array(name, Counts.class, 3).backend(Backend.BPF).perCpu(true).dir(dir);
        try (SharedArray<Counts> counts = SharedArray.create(spec)) {
            counts.set(1, new Counts(100, -2, "eth0"));
            PerCpuCounters.increment(pin, 1, 3, 5);
            PerCpu<Counts> one = counts.getPerCpu(1);
            assertEquals(new PerCpu<>(perCpu(cpu -> new Counts(cpu == 0 ? 103 : cpu == 1 ? 105 : 100, -2, "eth0")),
                    new Counts(100L * cpus + 8, -2 * cpus, "eth0")), one);
            CPrograms.Result got = py(name, "get", 1);
            assertEquals(printed(one, PyBpfPerCpuInteropTest::line) + "get " + line(counts.get(1)) + "\n", got.out(),
                    got.err());

            CPrograms.Result set = py(name, "set", 2, 7, -1, "lo");
            assertEquals("set\n", set.out(), set.err());
            assertEquals(new PerCpu<>(perCpu(cpu -> new Counts(7, -1, "lo")), new Counts(7L * cpus, -cpus, "lo")),
                    counts.getPerCpu(2));

            CPrograms.Result add = py(name, "add", 1, 1, "packets");
            assertEquals("Unsupported: map bpf:" + name + " is a per-CPU array: it has no atomic slots, since each CPU"
                    + " updates its own value and only bpf(2) copies them; use mapsync_read (the sum),"
                    + " mapsync_read_per_cpu and mapsync_write\n", add.out(), add.err());
            assertEquals(one, counts.getPerCpu(1));
        }
    }

    @Test
    void perCpuHashMapsBetweenPythonAndJava() throws Exception {
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
                CPrograms.Result got = py(map, "get", 2);
                assertEquals(printed(two, String::valueOf) + "get 9\n", got.out(), got.err());
                assertEquals("4 absent\n", py(map, "get", 4).out());

                StringBuilder listed = new StringBuilder("2 9\n3 " + cpus + "\n");
                for (int cpu = 0; cpu < cpus; cpu++) listed.append("2 cpu").append(cpu).append(' ').append(two.values().get(cpu)).append('\n');
                for (int cpu = 0; cpu < cpus; cpu++) listed.append("3 cpu").append(cpu).append(" 1\n");
                CPrograms.Result list = py(map, "list");
                assertEquals(listed.toString(), list.out(), list.err());

                assertEquals("set\n", py(map, "set", 5, 40).out());
                assertEquals(new PerCpu<>(perCpu(cpu -> 40L), 40L * cpus), hits.getPerCpu(5));
                assertEquals("removed\n", py(map, "remove", 3).out());
                assertNull(hits.get(3));
                assertEquals("Unsupported: map bpf:" + map + " is a per-CPU hash map: an add would write the new sum as"
                        + " every CPU's value; read the sum with mapsync_hash_get, or put a value (every CPU's)\n",
                        py(map, "add", 2, 1).out());
                assertEquals(two, hits.getPerCpu(2));

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
}
