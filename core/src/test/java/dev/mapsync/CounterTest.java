package dev.mapsync;

import dev.mapsync.internal.counter.CounterLayout;
import dev.mapsync.testkit.TestDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sharded counters in one process: adds, sums, cells, reset, the refusals (index, read-only, bpf, count, closed),
 * every process slot taken, and many platform and virtual threads adding through one handle.
 */
class CounterTest {
    private Path dir;
    private String name;

    @BeforeEach
    void setUp() {
        dir = TestDirs.create();
        name = "ct" + Long.toHexString(System.nanoTime());
    }

    @AfterEach
    void tearDown() {
        TestDirs.delete(dir);
    }

    private CounterSpec spec(int count) {
        return MapSpec.counters(name, count).dir(dir);
    }

    @Test
    void addsLandInTheHandlesOwnCellAndSumOverHandles() {
        try (SharedCounters a = SharedCounters.create(spec(3));
             SharedCounters b = SharedCounters.open(spec(3));
             SharedCounters reader = SharedCounters.openReadOnly(MapSpec.existing(name).dir(dir))) {
            assertEquals(3, a.count());
            assertEquals(3, reader.count());
            assertNotEquals(a.slot(), b.slot());
            assertEquals(-1, reader.slot());
            a.increment(0);
            a.add(0, 41);
            b.add(0, -2);
            b.add(2, 1L << 40);
            assertEquals(40, reader.sum(0));
            assertEquals(0, reader.sum(1));
            assertArrayEquals(new long[]{40, 0, 1L << 40}, reader.sums());
            List<CounterCell> cells = reader.cells(0);
            assertEquals(2, cells.size());
            long pid = ProcessHandle.current().pid();
            for (CounterCell c : cells) {
                assertEquals(pid, c.pid());
                assertEquals(c.slot() == a.slot() ? 42 : -2, c.value());
            }
            assertEquals(Set.of(a.slot(), b.slot()), Set.copyOf(cells.stream().map(CounterCell::slot).toList()));
            MapInfo info = reader.info();
            assertEquals(MapType.COUNTER, info.type());
            assertEquals(3, info.entries());
            assertEquals(Backend.SHM, info.backend());
            assertEquals("SharedCounters[" + name + ", 3 counters]", a.toString());
        }
    }

    @Test
    void aClosedHandlesCellsStillCountAndItsSlotsNextHolderAddsIntoThem() {
        int slot;
        try (SharedCounters c = SharedCounters.create(spec(1))) {
            c.add(0, 1000);
            slot = c.slot();
        }
        // hold slots until one handle takes the closed handle's slot again
        List<SharedCounters> held = new ArrayList<>();
        try {
            SharedCounters again;
            while (true) {
                SharedCounters h = SharedCounters.open(spec(1));
                held.add(h);
                if (h.slot() == slot) {
                    again = h;
                    break;
                }
            }
            assertEquals(1000, again.sum(0));
            again.add(0, 5);
            assertEquals(1005, again.sum(0));
            // the handles held meanwhile marked their slots used too; only the reclaimed slot's cell holds anything
            assertEquals(List.of(new CounterCell(slot, (int) ProcessHandle.current().pid(), 1005)),
                    again.cells(0).stream().filter(c -> c.value() != 0).toList());
            assertEquals(held.size(), again.cells(0).size());
        } finally {
            held.forEach(SharedCounters::close);
        }
    }

    @Test
    void cellsOfDifferentSlotsNeverShareACacheLinePair() {
        for (int count : new int[]{1, 16, 17, 1024}) {
            long stride = CounterLayout.stride(count);
            assertEquals(0, stride % 128, "stride " + stride);
            assertTrue(stride >= count * 8L);
        }
        assertEquals(128, CounterLayout.stride(1));
        assertEquals(256, CounterLayout.stride(17));
        try (SharedCounters c = SharedCounters.create(spec(17))) {
            MapInfo info = c.info();
            assertEquals(256, info.stride());
            assertEquals(Peer0.fileLength(17), info.fileSize());
        }
    }

    /** The file length of a counter map of {@code count} counters, by FORMAT.md §11. */
    private static final class Peer0 {
        static long fileLength(int count) {
            return 4096 + 36864 + 1024L * ((count * 8L + 127) / 128 * 128);
        }
    }

    @Test
    void refusals() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MapSpec.counters(name, 0));
        assertEquals("a counter map has 1 to 1024 counters, not 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MapSpec.counters(name, 1025));
        assertEquals("a counter map has 1 to 1024 counters, not 1025", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MapSpec.counters(name, 1).backend(Backend.BPF));
        assertEquals("a counter map lives in shared memory only (shm backend): its cells are not kept in a kernel map",
                e.getMessage());
        try (SharedCounters c = SharedCounters.create(spec(2));
             SharedCounters reader = SharedCounters.openReadOnly(spec(2))) {
            IndexOutOfRangeException out = assertThrows(IndexOutOfRangeException.class, () -> c.add(2, 1));
            assertEquals("index 2 is out of range for counter map '" + name + "' (0..1)", out.getMessage());
            out = assertThrows(IndexOutOfRangeException.class, () -> c.sum(-1));
            assertEquals("index -1 is out of range for counter map '" + name + "' (0..1)", out.getMessage());
            MapAccessDeniedException denied = assertThrows(MapAccessDeniedException.class, () -> reader.increment(0));
            assertEquals("counter map '" + name + "' is open read-only; adds are refused", denied.getMessage());
            denied = assertThrows(MapAccessDeniedException.class, () -> reader.sumThenReset(0));
            assertEquals("counter map '" + name + "' is open read-only; adds are refused", denied.getMessage());
            IncompatibleMapException other = assertThrows(IncompatibleMapException.class,
                    () -> SharedCounters.open(spec(3)));
            assertTrue(other.getMessage().contains("count"), other.getMessage());
            IncompatibleMapException array = assertThrows(IncompatibleMapException.class,
                    () -> SharedArray.open(MapSpec.existing(name).dir(dir)));
            assertEquals("map '" + name + "' is a counter map, not an array map; open it with SharedCounters",
                    array.getMessage());
            assertEquals(0, reader.sum(0));
        }
        try (SharedArray<Long> a = SharedArray.create(MapSpec.array(name + "a", Codec.i64(), 1).dir(dir))) {
            IncompatibleMapException e2 = assertThrows(IncompatibleMapException.class,
                    () -> SharedCounters.open(MapSpec.existing(name + "a").dir(dir)));
            assertEquals("map '" + name + "a' is an array map, not a counter map; open it with SharedArray",
                    e2.getMessage());
        }
        SharedCounters closed = SharedCounters.create(MapSpec.counters(name + "c", 1).dir(dir));
        closed.close();
        MapClosedException c1 = assertThrows(MapClosedException.class, () -> closed.increment(0));
        assertEquals("counter map '" + name + "c' is closed", c1.getMessage());
        MapClosedException c2 = assertThrows(MapClosedException.class, () -> closed.sum(0));
        assertEquals("counter map '" + name + "c' is closed", c2.getMessage());
    }

    @Test
    void whenEveryProcessSlotIsHeldTheNextReadWriteOpenIsRefusedAndReadersStillOpen() {
        List<SharedCounters> held = new ArrayList<>();
        try {
            held.add(SharedCounters.create(spec(1)));
            for (int i = 1; i < 1024; i++) held.add(SharedCounters.open(spec(1)));
            Set<Integer> slots = new HashSet<>();
            for (SharedCounters h : held) {
                h.increment(0);
                slots.add(h.slot());
            }
            assertEquals(1024, slots.size());
            MapSyncException full = assertThrows(MapSyncException.class, () -> SharedCounters.open(spec(1)));
            assertEquals("map '" + name + "' already has 1024 read-write handles open, in this process or others that"
                    + " live: every handle holds a slot until it is closed, and one that is not closed keeps it until"
                    + " its process ends (in Java, until the garbage collector finds it unreachable); close handles"
                    + " when done with them", full.getMessage());
            try (SharedCounters reader = SharedCounters.openReadOnly(spec(1))) {
                assertEquals(1024, reader.sum(0));
                assertEquals(1024, reader.cells(0).size());
            }
            held.removeLast().close();
            try (SharedCounters next = SharedCounters.open(spec(1))) {
                next.increment(0);
                assertEquals(1025, next.sum(0));
            }
        } finally {
            held.forEach(SharedCounters::close);
        }
    }

    @Test
    void manyPlatformAndVirtualThreadsOnOneHandleCountExactly() throws Exception {
        int platform = 8, virtual = 200;
        long each = 20_000;
        try (SharedCounters c = SharedCounters.create(spec(2))) {
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < platform + virtual; t++) {
                Runnable adder = () -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    for (long i = 0; i < each; i++) {
                        c.increment(0);
                        c.add(1, 3);
                    }
                };
                threads.add(t < platform ? Thread.ofPlatform().start(adder) : Thread.ofVirtual().start(adder));
            }
            start.countDown();
            for (Thread t : threads) t.join();
            long n = (platform + virtual) * each;
            assertEquals(n, c.sum(0));
            assertEquals(3 * n, c.sum(1));
            assertEquals(1, c.cells(0).size());
        }
    }

    @Test
    void sumThenResetCountsEveryAddOnceWhileAddsRun() throws Exception {
        try (SharedCounters adder1 = SharedCounters.create(spec(1));
             SharedCounters adder2 = SharedCounters.open(spec(1));
             SharedCounters resetter = SharedCounters.open(spec(1))) {
            long each = 200_000;
            AtomicLong taken = new AtomicLong();
            AtomicBoolean done = new AtomicBoolean();
            Thread t1 = Thread.ofPlatform().start(() -> {
                for (long i = 0; i < each; i++) adder1.increment(0);
            });
            Thread t2 = Thread.ofPlatform().start(() -> {
                for (long i = 0; i < each; i++) adder2.add(0, 2);
            });
            Thread r = Thread.ofPlatform().start(() -> {
                while (!done.get()) taken.addAndGet(resetter.sumThenReset(0));
            });
            t1.join();
            t2.join();
            done.set(true);
            r.join();
            assertEquals(3 * each, taken.get() + resetter.sum(0));
            assertEquals(3 * each, taken.get() + resetter.sumThenReset(0));
            assertEquals(0, resetter.sum(0));
        }
    }

    @Test
    void openByExistingLocationAndSharedMapsOpenGiveCounters() {
        try (SharedCounters c = SharedCounters.create(spec(4))) {
            c.add(3, 9);
            try (SharedMap any = SharedMaps.open(MapSpec.existing(name).dir(dir))) {
                SharedCounters same = assertInstanceOf(any);
                assertEquals(4, same.count());
                assertEquals(9, same.sum(3));
            }
            try (SharedMap any = SharedMaps.openReadOnly(MapSpec.existing(name).dir(dir))) {
                assertEquals(9, assertInstanceOf(any).sum(3));
            }
            MapInfo info = SharedMaps.info(MapSpec.existing(name).dir(dir));
            assertEquals(MapType.COUNTER, info.type());
            assertEquals(4, info.entries());
        }
    }

    @Test
    void aCounterMapGivenByItsFilePathAndToString() {
        Path file = dir.resolve(name + "-file");
        CounterSpec spec = MapSpec.counters(file, 2);
        assertEquals("counter map '" + name + "-file' (2 counters)", spec.toString());
        assertEquals(MapType.COUNTER, spec.type());
        assertEquals(2, spec.count());
        try (SharedCounters c = SharedCounters.create(spec);
             SharedCounters again = SharedCounters.open(MapSpec.existing(file))) {
            c.add(1, 9);
            assertEquals(9, again.sum(1));
            assertEquals(file, again.info().file());
        }
    }

    private static SharedCounters assertInstanceOf(SharedMap map) {
        return org.junit.jupiter.api.Assertions.assertInstanceOf(SharedCounters.class, map);
    }
}
