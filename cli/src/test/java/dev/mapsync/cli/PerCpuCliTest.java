package dev.mapsync.cli;

import dev.mapsync.internal.asm.Program;
import dev.mapsync.internal.asm.ProgramBuilder;
import dev.mapsync.internal.asm.Reg;
import dev.mapsync.internal.store.Bpffs;
import dev.mapsync.internal.sys.Bpf;
import dev.mapsync.internal.sys.Cpus;
import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.internal.sys.LibC;
import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.TestDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.mapsync.launch.ChildJvm;
import dev.mapsync.launch.Jvm;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-CPU kernel maps on the command line: made with {@code create --per-cpu}, counted by a BPF program run on two
 * CPUs, read as the sum and {@code --per-cpu} as each CPU's value, written to every CPU, dumped, and a foreign one
 * opened by its pin.
 */
class PerCpuCliTest {
    private Path dir;
    @RegisterExtension
    final KernelAssumptions.Pins pins = new KernelAssumptions.Pins();

    @BeforeEach
    void setUp() {
        Machine.requireBpf();
        Assumptions.assumeTrue(Cpus.possible() == 2, "these expectations are written for 2 possible CPUs; this machine"
                + " has " + Cpus.possible());
        dir = TestDirs.create();
    }

    @AfterEach
    void tearDown() {
        TestDirs.delete(dir);
    }

    private Cli ms(String... args) {
        return Cli.in(dir, args);
    }

    /** Runs a program that adds 1 to the u64 value of {@code key} on CPU 0 {@code cpu0} times, on CPU 1 {@code cpu1}. */
    private static void count(Path pin, int key, int cpu0, int cpu1) {
        int fd = Bpf.objGet(pin, 0);
        ProgramBuilder b = new ProgramBuilder();
        ProgramBuilder.Label out = b.label();
        b.lookupElement(fd, key, out).mov(Reg.R1, 1).atomicAdd(ProgramBuilder.Width.DW, Reg.R0, 0, Reg.R1)
                .bind(out).mov(Reg.R0, 0).exit();
        try (Program p = Program.load(Program.Type.RAW_TRACEPOINT, b.build(), "percpu_inc")) {
            for (int i = 0; i < cpu0; i++) p.testRunOnCpu(0);
            for (int i = 0; i < cpu1; i++) p.testRunOnCpu(1);
        } finally {
            LibC.close(fd);
        }
    }

    @Test
    void aPerCpuArrayPrintsTheSumAndEachCpusValue() throws Exception {
        String name = KernelAssumptions.uniqueName("pkts");
        Path pin = pins.track(Bpffs.defaultPin(name));
        String map = "bpf:" + name;
        ms("create", map, "--value", "u64", "--entries", "4", "--per-cpu").ok();
        count(pin, 1, 3, 4);
        assertEquals("7\n", ms("get", map, "1").ok().out());
        assertEquals("cpu0 3\ncpu1 4\n", ms("get", map, "1", "--per-cpu").ok().out());
        assertEquals("{\"cpus\":[3,4],\"sum\":7}\n", ms("get", map, "1", "--per-cpu", "--json").ok().out());
        assertEquals("1\t7\n", ms("dump", map, "--nonzero").ok().out());
        ms("set", map, "2", "5").ok();
        assertEquals("cpu0 5\ncpu1 5\n", ms("get", map, "2", "--per-cpu").ok().out());
        assertEquals("0\t0\n1\t7\n2\t10\n3\t0\n", ms("dump", map).ok().out());
        Cli add = ms("add", map, "1", "1");
        assertEquals(List.of(5, "mapsync: map '" + name + "' has no atomic slots: it is a per-CPU array, whose values each"
                + " CPU updates on its own and only bpf(2) copies; use get (the sum), getPerCpu and set\n"),
                List.of(add.code(), add.err()));
        String info = ms("info", map).ok().out();
        assertTrue(info.contains("\nkernel map    percpu_array\naccess        syscall\n"), info);
        assertEquals(List.of("mapsync_value{field=\"value\",key=\"1\",map=\"" + map + "\"} 7.0",
                "mapsync_value{field=\"value\",key=\"2\",map=\"" + map + "\"} 10.0"), exported(map));
        Cli plain = ms("get", "bpf:" + name + "x", "1", "--per-cpu");
        assertEquals(2, plain.code(), plain.err());
    }

    @Test
    void aPerCpuHashAndAForeignPerCpuPin() {
        String name = KernelAssumptions.uniqueName("flows");
        Path pin = pins.track(Bpffs.defaultPin(name));
        String map = "bpf:" + name;
        ms("create", map, "--type", "hash", "--key", "u32", "--value", "u64", "--entries", "8", "--per-cpu", "--lru").ok();
        ms("set", map, "6", "0").ok();
        count(pin, 6, 2, 9);
        assertEquals("11\n", ms("get", map, "6").ok().out());
        assertEquals("cpu0 2\ncpu1 9\n", ms("get", map, "6", "--per-cpu").ok().out());
        assertEquals("6\t11\n", ms("dump", map).ok().out());
        Cli missing = ms("get", map, "7", "--per-cpu");
        assertEquals(2, missing.code(), missing.err());
        Cli array = ms("get", map, "6", "--per-cpu", "--json");
        assertEquals("{\"cpus\":[2,9],\"sum\":11}\n", array.ok().out());

        Path foreign = pins.track(Bpffs.ROOT.resolve(KernelAssumptions.uniqueName("fpc")));
        KernelAssumptions.bpftool("map", "create", foreign.toString(), "type", "percpu_array", "key", "4", "value", "8",
                "entries", "2", "name", "fpc").ok();
        String f = foreign.toString();
        count(foreign, 0, 1, 2);
        assertEquals("3\n", ms("get", f, "0", "--value", "u64").ok().out());
        assertEquals("cpu0 1\ncpu1 2\n", ms("get", f, "0", "--value", "u64", "--per-cpu").ok().out());
        String info = ms("info", f, "--value", "u64").ok().out();
        assertTrue(info.contains("\nkernel map    percpu_array\n"), info);
        assertTrue(info.contains("\nper cpu       2 values per key (get prints their sum, --per-cpu each)\n"), info);
        Cli notPerCpu = ms("get", "bpf:" + name, "6", "--per-cpu");
        assertEquals(0, notPerCpu.code());

        String plain = KernelAssumptions.uniqueName("plain");
        pins.track(Bpffs.defaultPin(plain));
        ms("create", "bpf:" + plain, "--value", "u64", "--entries", "2").ok();
        Cli one = ms("get", "bpf:" + plain, "1", "--per-cpu");
        assertEquals(List.of(3, "mapsync: map '" + plain + "' is not a per-CPU array: it has one value per entry, which get"
                + " returns\n"), List.of(one.code(), one.err()));
    }

    /** A CPU's value that is not a value of the schema is a corrupt map, exit 3 with one line, as for get. */
    @Test
    void aPerCpuValueThatIsNotAValueIsACorruptMap() {
        String name = KernelAssumptions.uniqueName("pcs");
        Path pin = pins.track(Bpffs.defaultPin(name));
        String map = "bpf:" + name;
        ms("create", map, "--value", "s:char[4]", "--entries", "2", "--per-cpu").ok();
        int fd = Bpf.objGet(pin, 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment values = arena.allocate(8L * Cpus.possible(), 8); // each CPU's value, 8-byte aligned
            values.set(ValueLayout.JAVA_BYTE, 8, (byte) 0xff); // CPU 1's value: bytes that are not UTF-8
            Bpf.updateIndex(fd, 0, values, 0);
        } finally {
            LibC.close(fd);
        }
        Cli get = ms("get", map, "0", "--per-cpu");
        assertEquals(List.of(3, "mapsync: map '" + name + "' is corrupt: entry 0 is not a value of its schema (field"
                + " 's': char[4] field holds bytes that are not UTF-8)\n"), List.of(get.code(), get.err()));
    }

    /** The nonzero mapsync_value lines of one scrape of {@code mapsync export MAP}. */
    private List<String> exported(String map) throws Exception {
        ChildJvm exporter = Jvm.main(Main.class).args("export", "--dir", dir.toString(), "--port", "0", map)
                .stderrToStdout().start();
        try {
            String first = new BufferedReader(new InputStreamReader(exporter.process().getInputStream())).readLine();
            assertTrue(first != null && first.startsWith("mapsync: serving http://127.0.0.1:"), first);
            String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(first.substring(
                    "mapsync: serving ".length()))).build(), HttpResponse.BodyHandlers.ofString()).body();
            return body.lines().filter(l -> l.startsWith("mapsync_value{") && !l.endsWith(" 0.0")).sorted().toList();
        } finally {
            exporter.process().destroy();
            exporter.process().waitFor();
        }
    }
}
