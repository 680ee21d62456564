package dev.mapsync;

import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.CounterAdder;
import dev.mapsync.testkit.TestDirs;
import dev.mapsync.testkit.TestJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sharded counters between separate JVM processes: four adders give an exact total with one cell each; an adder
 * killed with SIGKILL keeps its count, and a handle that takes its slot goes on in its cell, the total still exact.
 */
class CounterCrossProcessTest {
    private Path dir;
    private String name;

    @BeforeEach
    void setUp() {
        dir = TestDirs.create();
        name = "cx" + Long.toHexString(System.nanoTime());
    }

    @AfterEach
    void tearDown() {
        TestDirs.delete(dir);
    }

    /** The slot the child printed it holds. */
    private static int slotOf(ChildJvm child) {
        String line = child.output().lines().filter(l -> l.startsWith("slot ")).findFirst().orElseThrow();
        return Integer.parseInt(line.substring("slot ".length()));
    }

    @Test
    void fourProcessesAddAnExactTotal() {
        int processes = 4;
        long each = 500_000;
        try (SharedCounters counters = SharedCounters.create(MapSpec.counters(name, 2).dir(dir))) {
            List<ChildJvm> children = new ArrayList<>();
            try {
                for (int p = 0; p < processes; p++) {
                    children.add(TestJvm.start(CounterAdder.class, dir.toString(), name, "2", "0", Long.toString(each),
                            "then-exit"));
                }
                List<Integer> slots = new ArrayList<>();
                for (ChildJvm c : children) {
                    c.awaitSuccess(300);
                    assertEquals("added " + each, c.output().strip().lines().toList().getLast());
                    slots.add(slotOf(c));
                }
                assertEquals(processes * each, counters.sum(0));
                assertEquals(2 * processes * each, counters.sum(1));
                // one cell per child (each with exactly its adds), and the parent's own, which added nothing
                List<CounterCell> cells = counters.cells(0);
                assertEquals(processes + 1, cells.size());
                for (CounterCell cell : cells) {
                    assertEquals(cell.slot() == counters.slot() ? 0 : each, cell.value(), cell.toString());
                }
                assertTrue(cells.stream().map(CounterCell::slot).toList().containsAll(slots));
            } finally {
                children.forEach(ChildJvm::close);
            }
        }
    }

    @Test
    void aKilledAddersCountStaysAndItsSlotsNextHolderGoesOnInItsCell() {
        long each = 100_000;
        try (SharedCounters counters = SharedCounters.create(MapSpec.counters(name, 1).dir(dir))) {
            ChildJvm survivor = TestJvm.start(CounterAdder.class, dir.toString(), name, "1", "0", Long.toString(each),
                    "then-exit");
            ChildJvm victim = TestJvm.start(CounterAdder.class, dir.toString(), name, "1", "0", Long.toString(each),
                    "then-hang");
            try {
                victim.awaitLine("added " + each, 300);
                int victimSlot = slotOf(victim);
                victim.kill();
                assertEquals(137, victim.await(60), "killed by SIGKILL");
                survivor.awaitSuccess(300);
                // each child added 1 and 2 (to the last counter, which with one counter is counter 0) 'each' times
                assertEquals(2 * 3 * each, counters.sum(0));
                // take the dead adder's slot: hold the slots that come first until it comes
                List<SharedCounters> held = new ArrayList<>();
                try {
                    SharedCounters heir;
                    while (true) {
                        SharedCounters h = SharedCounters.open(MapSpec.counters(name, 1).dir(dir));
                        held.add(h);
                        if (h.slot() == victimSlot) {
                            heir = h;
                            break;
                        }
                    }
                    heir.add(0, 7);
                    assertEquals(6 * each + 7, counters.sum(0));
                    CounterCell cell = heir.cells(0).stream().filter(c -> c.slot() == victimSlot).findFirst().orElseThrow();
                    assertEquals(3 * each + 7, cell.value());
                    assertEquals(ProcessHandle.current().pid(), cell.pid());
                } finally {
                    held.forEach(SharedCounters::close);
                }
                assertEquals(6 * each + 7, counters.sum(0));
            } finally {
                survivor.close();
                victim.close();
            }
        }
    }
}
