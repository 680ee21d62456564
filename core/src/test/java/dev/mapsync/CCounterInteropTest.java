package dev.mapsync;

import dev.mapsync.internal.store.Header;
import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.CPrograms;
import dev.mapsync.testkit.CounterAdder;
import dev.mapsync.testkit.Peer;
import dev.mapsync.testkit.TestJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Counter maps between libmapsync and the Java library (FORMAT.md §11): a map C made takes adds from C and Java
 * processes at once into cells of their own and sums to the same exact total on both sides; C reads each cell, resets
 * a counter Java added to, is refused what a read-only handle may not do, and refuses a corrupt header as Java does.
 */
class CCounterInteropTest {
    @TempDir
    Path dir;

    private final String name = KernelAssumptions.uniqueName("ccnt");

    private CPrograms.Result tool(String... args) {
        List<String> command = new ArrayList<>(List.of(CPrograms.testProgram("counter_tool", Backend.SHM).toString()));
        command.addAll(List.of(args));
        return CPrograms.run(Map.of("MAPSYNC_DIR", dir.toString()), command);
    }

    private CPrograms.Result ok(String... args) {
        CPrograms.Result r = tool(args);
        assertEquals(0, r.exit(), r.err());
        return r;
    }

    /** The slot of the first "slot S" line of {@code output}. */
    private static int slotIn(String output) {
        return Integer.parseInt(output.lines().filter(l -> l.startsWith("slot ")).findFirst().orElseThrow()
                .substring("slot ".length()));
    }

    @Test
    void cAndJavaProcessesAddAtOnceAndBothSidesSumTheSameExactTotal() throws Exception {
        String created = ok("create", name, "2").out();
        assertTrue(created.matches("slot [0-9]+\n"), created);
        long each = 300_000;
        ProcessBuilder pb = new ProcessBuilder(CPrograms.testProgram("counter_tool", Backend.SHM).toString(), "add", name,
                "0", "3", Long.toString(each)).redirectErrorStream(true);
        pb.environment().put("MAPSYNC_DIR", dir.toString());
        Process c = pb.start();
        c.getOutputStream().close();
        try (ChildJvm java = TestJvm.start(CounterAdder.class, dir.toString(), name, "2", "0", Long.toString(each),
                "then-exit");
             SharedCounters counters = SharedCounters.open(MapSpec.counters(name, 2).dir(dir))) {
            for (long i = 0; i < each; i++) counters.increment(0);
            java.awaitSuccess(300);
            assertTrue(c.waitFor(300, TimeUnit.SECONDS));
            String out = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, c.exitValue(), out);
            long total = 1 + 3 * each + each + each; // create's 1, C's 3s, the Java child's and this process's 1s
            assertEquals(total, counters.sum(0));
            assertEquals(2 * each, counters.sum(1)); // the child's 2s into the last counter
            assertEquals("sum " + total + "\n", ok("sum", name, "0").out());
            assertEquals("sum " + 2 * each + "\n", ok("sum", name, "1").out());
            // the cells C lists are the cells Java lists: one per slot used by the creator, C's adder, the Java child
            // and this handle (the creator ended first, so one of the others may have taken its slot, and its cell)
            List<String> fromC = ok("cells", name, "0").out().lines().toList();
            List<String> fromJava = counters.cells(0).stream()
                    .map(cell -> "slot " + cell.slot() + " pid " + cell.pid() + " " + cell.value()).toList();
            assertEquals(fromJava, fromC);
            int createdSlot = slotIn(created), cSlot = slotIn(out), childSlot = slotIn(java.output());
            assertEquals(Set.of(createdSlot, cSlot, childSlot, counters.slot()).size(), fromC.size(), fromC.toString());
            long cCell = 3 * each + (cSlot == createdSlot ? 1 : 0);
            assertTrue(fromC.contains("slot " + cSlot + " pid " + c.pid() + " " + cCell), fromC.toString());
        } finally {
            c.destroyForcibly();
        }
    }

    @Test
    void cResetsWhatJavaAddedAndIsRefusedWhatAReadOnlyHandleMayNotDo() {
        try (SharedCounters counters = SharedCounters.create(MapSpec.counters(name, 3).dir(dir))) {
            counters.add(2, 40);
            ok("add", name, "2", "1", "2");
            assertEquals("took 42\nsum 0\n", ok("reset", name, "2").out());
            assertEquals(0, counters.sum(2));
            assertEquals("-9 counter map " + name + " is open read-only; adds are refused\n"
                    + "-34 index 3 is out of range for counter map " + name + " (0..2)\n", ok("refusals", name).out());
        }
    }

    @Test
    void cRefusesACorruptCounterMapAsJavaDoes() {
        SharedCounters.create(MapSpec.counters(name, 3).dir(dir)).close();
        Peer.putInt(dir.resolve(name), Header.STRIDE_OFFSET, 64);
        CPrograms.Result r = tool("sum", name, "0");
        assertEquals(3, r.exit(), r.err());
        assertEquals("counter_tool: map " + name + " is corrupt: cell block stride 64 for 3 counters, expected 128\n", r.err());
        CorruptMapException e = org.junit.jupiter.api.Assertions.assertThrows(CorruptMapException.class,
                () -> SharedCounters.open(MapSpec.counters(name, 3).dir(dir)));
        assertEquals("map '" + name + "' is corrupt: cell block stride 64 for 3 counters, expected 128", e.getMessage());
    }
}
