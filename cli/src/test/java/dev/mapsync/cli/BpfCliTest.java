package dev.mapsync.cli;

import dev.mapsync.internal.store.Bpffs;
import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.internal.store.KernelMap;
import dev.mapsync.internal.sys.Proc;
import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.TestDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line on the bpf backend: {@code bpf:NAME} maps made, described, listed, removed, and the demo. */
class BpfCliTest {
    private Path dir;
    @RegisterExtension
    final KernelAssumptions.Pins pins = new KernelAssumptions.Pins();

    @BeforeEach
    void setUp() {
        Machine.requireBpf();
        dir = TestDirs.create();
    }

    @AfterEach
    void tearDown() {
        TestDirs.delete(dir);
    }

    private Cli ms(String... args) {
        return Cli.in(dir, args);
    }

    private static Cli ok(Cli c) {
        return c.ok();
    }

    @Test
    void infoShowsTheKernelMapIdPinAndAccessInOrderAndListNamesItBpf() {
        String name = KernelAssumptions.uniqueName("cli");
        Path pin = pins.track(Bpffs.defaultPin(name));
        ok(ms("create", "bpf:" + name, "--value", "u64", "--entries", "4"));
        ok(ms("create", "plain", "--value", "i32", "--entries", "2"));
        assertEquals("8\n", ok(ms("add", "bpf:" + name, "3", "8")).out());
        assertEquals("8\n", ok(ms("get", "bpf:" + name, "3")).out());
        int id;
        try (KernelMap kernel = KernelMap.openPin(name, pin, true)) {
            id = kernel.info().id();
        }

        String info = ok(ms("info", "bpf:" + name)).out();
        assertTrue(info.startsWith("map           " + name + "\n"
                + "file          " + dir.resolve(name) + "\n"
                + "type          array\n"
                + "backend       bpf\n"
                + "kernel map id " + id + "\n"
                + "pin           " + pin + "\n"
                + "kernel map    array, mmapable\n"
                + "access        mmap\n"
                + "entries       4\n"
                + "value         u64 (8 bytes, stride 8)\n"), info);
        String json = ok(ms("info", "bpf:" + name, "--json")).out();
        assertTrue(json.endsWith(",\"kernel_map_id\":\"" + id + "\",\"pin\":\"" + pin
                + "\",\"kernel_map\":\"array, mmapable\",\"access\":\"mmap\"}\n"), json);

        String expectedList = "NAME                     BACKEND TYPE     ENTRIES  VALUE\n"
                + String.format("%-24s %-7s %-6s %9d  %s%n", "bpf:" + name, "bpf", "array", 4, "u64")
                + String.format("%-24s %-7s %-6s %9d  %s%n", "plain", "shm", "array", 2, "i32");
        assertEquals(expectedList, ok(ms("list")).out());

        ok(ms("rm", "bpf:" + name, "plain"));
        assertFalse(Files.exists(pin, LinkOption.NOFOLLOW_LINKS), "rm removes the pin");
        assertEquals("", ok(ms("list")).out());
    }

    @Test
    void theBpfDemoCountsTheKernelWorkersIncrementsExactlyAndRemovesItsMaps() {
        String name = "demo-" + Proc.PID;
        pins.track(Bpffs.defaultPin(name));
        pins.track(Bpffs.defaultPin(name + "-accounts"));
        Cli demo = ms("demo", "--backend", "bpf", "--processes", "2", "--ops", "20000", "--json");
        ok(demo);
        String[] lines = demo.out().strip().split("\n");
        String last = lines[lines.length - 1];
        assertTrue(last.startsWith("{\"ok\":true,\"backend\":\"bpf\",\"processes\":2,\"operations\":40000,\"violations\":0,"
                + "\"ops_per_sec\":"), last);
        assertTrue(last.contains(",\"kernel_runs\":10000,\"kernel_operations\":20000,"), last);
        assertTrue(demo.out().contains("\n  kernel worker  20,000 atomic adds by BPF program 'demo_counters' in 10,000 runs"
                + " (BPF_PROG_TEST_RUN repeat), "), demo.out());
        assertTrue(demo.out().contains("\n  violations     0 of 11 counters off (every counter exact)\n"), demo.out());
        assertTrue(demo.out().contains("\n  storage        records in kernel map id "), demo.out());
        assertTrue(demo.out().contains("\n  torn reads     0 (records seen half-written)\n"), demo.out());
        assertEquals("result: OK, every check held", lines[lines.length - 2]);
        assertFalse(Files.exists(Bpffs.defaultPin(name), LinkOption.NOFOLLOW_LINKS), "the counters' pin is removed");
        assertFalse(Files.exists(Bpffs.defaultPin(name + "-accounts"), LinkOption.NOFOLLOW_LINKS), "the accounts' pin is removed");
        assertEquals("", ok(ms("list")).out(), "the demo removes its sidecars and gates");
    }
}
