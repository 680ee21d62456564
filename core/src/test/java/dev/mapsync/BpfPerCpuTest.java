package dev.mapsync;

import dev.mapsync.internal.asm.Program;
import dev.mapsync.internal.asm.ProgramBuilder;
import dev.mapsync.internal.asm.Reg;
import dev.mapsync.internal.store.Bpffs;
import dev.mapsync.internal.sys.Cpus;
import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.internal.sys.LibC;
import dev.mapsync.internal.sys.Bpf;
import dev.mapsync.testkit.Machine;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Per-CPU kernel maps through the public API: a BPF program run on chosen CPUs increments its own CPU's value, and
 * a read gives each CPU's value and their sum exactly; a write sets every CPU's value.
 */
class BpfPerCpuTest {
    record Counts(long packets, int drops, @Chars(4) String tag) {}

    @TempDir
    Path dir;

    @RegisterExtension
    final KernelAssumptions.Pins pins = new KernelAssumptions.Pins();

    @BeforeEach
    void needsBpf() {
        Machine.requireBpf();
    }

    /** The CPUs a test can run programs on: the first two possible ones, when both are online. */
    private static int cpusToUse() {
        int n = Math.min(2, Cpus.possible());
        Assumptions.assumeTrue(n == 2, "per-CPU tests need two CPUs; this machine has " + Cpus.possible()
                + " possible");
        return n;
    }

    /**
     * A raw tracepoint program that adds 1 to the u64 at offset {@code field} of element {@code key} of the map
     * (its own CPU's value): test-run on a chosen CPU.
     */
    private static Program incrementer(int mapFd, int key, int field) {
        ProgramBuilder b = new ProgramBuilder();
        ProgramBuilder.Label out = b.label();
        b.lookupElement(mapFd, key, out)
                .mov(Reg.R1, 1)
                .atomicAdd(ProgramBuilder.Width.DW, Reg.R0, field, Reg.R1)
                .bind(out)
                .mov(Reg.R0, 0)
                .exit();
        return Program.load(Program.Type.RAW_TRACEPOINT, b.build(), "percpu_inc");
    }

    /** Runs {@code program} {@code times[cpu]} times on each CPU. */
    private static void run(Program program, int... times) {
        for (int cpu = 0; cpu < times.length; cpu++) {
            for (int i = 0; i < times[cpu]; i++) assertEquals(0, program.testRunOnCpu(cpu));
        }
    }

    private static List<Long> longs(long... values) {
        List<Long> l = new ArrayList<>();
        for (long v : values) l.add(v);
        for (int i = values.length; i < Cpus.possible(); i++) l.add(0L);
        return l;
    }

    private static int fd(Path pin) {
        return Bpf.objGet(pin, 0);
    }

    @Test
    void anArrayReadsEachCpusValueAndTheirSum() {
        cpusToUse();
        String name = KernelAssumptions.uniqueName("percpu");
        Path pin = pins.track(Bpffs.defaultPin(name));
        ArraySpec<Long> spec = MapSpec.array(name, Codec.u64(), 4).backend(Backend.BPF).perCpu(true).dir(dir);
        try (SharedArray<Long> hits = SharedArray.create(spec)) {
            int fd = fd(pin);
            try (Program inc = incrementer(fd, 2, 0)) {
                run(inc, 3, 5);
            } finally {
                LibC.close(fd);
            }
            PerCpu<Long> two = hits.getPerCpu(2);
            assertEquals(longs(3, 5), two.values());
            assertEquals(8L, two.sum());
            assertEquals(8L, hits.get(2));
            assertEquals(longs(), hits.getPerCpu(1).values());

            java.util.Map<Integer, Long> all = new java.util.TreeMap<>();
            hits.forEach((v, i) -> all.put(i, v)); // BPF_MAP_LOOKUP_BATCH, the sums
            assertEquals(java.util.Map.of(0, 0L, 1, 0L, 2, 8L, 3, 0L), all);
            hits.set(2, 10L); // every CPU's value
            assertEquals(new PerCpu<>(longs(10, 10), 10L * Cpus.possible()), hits.getPerCpu(2));
            assertEquals("percpu_array", hits.info().details().get("kernel map"));
            assertEquals("syscall", hits.info().details().get("access"));
            MapSyncException noSlots = assertThrows(MapSyncException.class, () -> hits.longs().getAndAdd(2, 1));
            assertEquals("map '" + name + "' has no atomic slots: it is a per-CPU array, whose values each CPU updates"
                    + " on its own and only bpf(2) copies; use get (the sum), getPerCpu and set", noSlots.getMessage());
        }
        // opened again by name, as it is: still per-CPU
        try (SharedArray<Object> again = SharedArray.open(MapSpec.existing(name).backend(Backend.BPF).dir(dir))) {
            assertEquals(10L * Cpus.possible(), again.get(2));
        }
        IncompatibleMapException plain = assertThrows(IncompatibleMapException.class,
                () -> SharedArray.open(MapSpec.array(name, Codec.u64(), 4).backend(Backend.BPF).dir(dir)));
        assertEquals("kernel map type", plain.field());
    }

    @Test
    void recordsSumTheirNumericFieldsAndKeepCpuZerosOthers() {
        cpusToUse();
        String name = KernelAssumptions.uniqueName("percpu");
        Path pin = pins.track(Bpffs.defaultPin(name));
        var spec = MapSpec.array(name, Counts.class, 2).backend(Backend.BPF).perCpu(true).dir(dir);
        try (SharedArray<Counts> counts = SharedArray.create(spec)) {
            counts.set(1, new Counts(100, -2, "eth0"));
            int fd = fd(pin);
            try (Program inc = incrementer(fd, 1, 0)) {
                run(inc, 1, 4);
            } finally {
                LibC.close(fd);
            }
            PerCpu<Counts> one = counts.getPerCpu(1);
            List<Counts> expected = new ArrayList<>(List.of(new Counts(101, -2, "eth0"), new Counts(104, -2, "eth0")));
            for (int cpu = 2; cpu < Cpus.possible(); cpu++) expected.add(new Counts(100, -2, "eth0"));
            assertEquals(expected, one.values());
            long cpus = Cpus.possible();
            assertEquals(new Counts(100 * cpus + 5, (int) (-2 * cpus), "eth0"), one.sum());
            assertEquals(one.sum(), counts.get(1));
        }
    }

    @Test
    void aForeignPerCpuArrayIsAdoptedAndTheShmBackendRefusesOne() {
        Path pin = pins.track(Bpffs.ROOT.resolve(KernelAssumptions.uniqueName("percpu")));
        KernelAssumptions.bpftool("map", "create", pin.toString(), "type", "percpu_array", "key", "4", "value", "8",
                "entries", "2", "name", "foreign").ok();
        IncompatibleMapException notSaid = assertThrows(IncompatibleMapException.class,
                () -> SharedArray.open(MapSpec.pinned(pin, Codec.u64()).dir(dir)));
        assertEquals("kernel map type", notSaid.field());
        try (SharedArray<Long> a = SharedArray.open(MapSpec.pinned(pin, Codec.u64()).perCpu(true).dir(dir))) {
            a.set(0, 7L);
            assertEquals(7L * Cpus.possible(), a.get(0));
            List<Long> sums = new ArrayList<>();
            a.forEach((v, i) -> sums.add(v));
            assertEquals(List.of(7L * Cpus.possible(), 0L), sums);
            assertEquals(longs(7, 7), a.getPerCpu(0).values());
        }
        IllegalArgumentException shm = assertThrows(IllegalArgumentException.class,
                () -> SharedArray.create(MapSpec.array("plain", Codec.u64(), 2).perCpu(true).dir(dir)));
        assertEquals("map 'plain': a value per CPU is a kernel map feature (BPF_MAP_TYPE_PERCPU_ARRAY); use the bpf"
                + " backend", shm.getMessage());
        assertEquals(List.of(), List.of(dir.toFile().list((d, n) -> n.startsWith("plain"))));
        assertEquals(false, Files.exists(dir.resolve("plain")));
    }

    @Test
    void hashMapsReadEachCpusValueAndTheirSumAndDumpByBatch() {
        cpusToUse();
        for (boolean lru : List.of(false, true)) {
            String name = KernelAssumptions.uniqueName("percpuh");
            Path pin = pins.track(Bpffs.defaultPin(name));
            HashSpec<Integer, Long> spec = HashSpec.of(name, Codec.i32(), Codec.u64(), 16).backend(Backend.BPF)
                    .perCpu(true).lru(lru).dir(dir);
            try (SharedHashMap<Integer, Long> hits = SharedHashMap.create(spec)) {
                assertEquals(lru ? "lru_percpu_hash" : "percpu_hash", hits.info().details().get("kernel map"));
                hits.put(2, 0L);
                hits.put(3, 1L);
                int fd = fd(pin);
                try (Program inc = incrementer(fd, 2, 0)) {
                    run(inc, 2, 7);
                } finally {
                    LibC.close(fd);
                }
                assertEquals(new PerCpu<>(longs(2, 7), 9L), hits.getPerCpu(2));
                assertEquals(9L, hits.get(2));
                assertEquals(new PerCpu<>(longs(1, 1), (long) Cpus.possible()), hits.getPerCpu(3));
                assertEquals(null, hits.getPerCpu(4));
                java.util.Map<Integer, Long> dumped = new java.util.TreeMap<>();
                hits.forEach(dumped::put);
                assertEquals(java.util.Map.of(2, 9L, 3, (long) Cpus.possible()), dumped);
                MapSyncException add = assertThrows(MapSyncException.class, () -> hits.getAndAdd(2, 1));
                assertEquals("map '" + name + "' is a per-CPU hash map: an add would write the new sum as every CPU's"
                        + " value; read the sum with get, or set a value (every CPU's)", add.getMessage());
                assertEquals(2, hits.size());
            }
            IncompatibleMapException plain = assertThrows(IncompatibleMapException.class, () -> SharedHashMap.open(
                    HashSpec.of(name, Codec.i32(), Codec.u64(), 16).backend(Backend.BPF).lru(lru).dir(dir)));
            assertEquals("kernel map type", plain.field());
        }
    }
}
