package dev.mapsync;

import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.CounterAdder;
import dev.mapsync.testkit.PythonClient;
import dev.mapsync.testkit.PythonClient.Script;
import dev.mapsync.testkit.TestJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Counter maps between the Python client and the Java library (FORMAT.md §11): a Python process adds into a cell of its
 * own while a Java process adds into another, and the total is exact; a map Python made opens in Java with its count
 * and sums, and a read-only Python handle is refused adds.
 */
class PyCounterInteropTest {
    @TempDir
    Path dir;

    private final String name = KernelAssumptions.uniqueName("pyc");

    @Test
    void aPythonAndAJavaProcessAddAtOnceAndTheTotalIsExact() throws Exception {
        PythonClient.require();
        long each = 50_000;
        try (SharedCounters counters = SharedCounters.create(MapSpec.counters(name, 2).dir(dir))) {
            counters.add(0, 1000);
            try (Script py = PythonClient.start(dir, "counters", name, each);
                 ChildJvm java = TestJvm.start(CounterAdder.class, dir.toString(), name, "2", "0", Long.toString(each),
                         "then-exit")) {
                String line = py.awaitSuccess(300).strip();
                java.awaitSuccess(300);
                assertTrue(line.matches("slot [0-9]+ sum [0-9]+ last [0-9]+ cells [0-9]+"), line);
                int slot = Integer.parseInt(line.split(" ")[1]);
                assertEquals(1000 + 2 * each, counters.sum(0));
                assertEquals(5 * each + 2 * each, counters.sum(1)); // Python's 5s and the Java child's 2s
                CounterCell cell = counters.cells(0).stream().filter(c -> c.slot() == slot).findFirst().orElseThrow();
                assertEquals(each, cell.value());
                assertEquals(3, counters.cells(0).size());
            }
        }
    }

    @Test
    void aMapPythonMadeOpensInJavaAndAReadOnlyPythonHandleIsRefusedAdds() throws Exception {
        PythonClient.require();
        String out = PythonClient.run(dir, "counters_made", name).out();
        String[] lines = out.split("\n");
        assertTrue(lines[0].matches("made SharedCounters count 3 slot [0-9]+"), out);
        assertEquals("ReadOnlyMap: counter map " + name + " is open read-only; adds are refused", lines[1]);
        assertEquals("IndexOutOfRange: index 3 is out of range for counter map " + name + " (0..2)", lines[2]);
        assertEquals("sums [0, 0, 7]", lines[3]);
        assertEquals(4, lines.length, out);
        try (SharedCounters counters = SharedCounters.open(MapSpec.existing(name).dir(dir))) {
            assertEquals(3, counters.count());
            assertEquals(7, counters.sum(2));
            counters.increment(2);
            assertEquals(8, counters.sum(2));
        }
    }
}
