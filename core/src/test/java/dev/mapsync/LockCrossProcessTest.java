package dev.mapsync;

import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.TestJvm;
import dev.mapsync.testkit.Ledger;
import dev.mapsync.testkit.Ledger.Account;
import dev.mapsync.testkit.LockHolder;
import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.MapDir;
import dev.mapsync.testkit.TotalChecker;
import dev.mapsync.testkit.Transferer;
import dev.mapsync.testkit.WideValues;
import dev.mapsync.testkit.WideValues.Wide;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Locks and consistent reads between separate JVM processes, including processes killed with SIGKILL. */
class LockCrossProcessTest {
    @RegisterExtension
    final MapDir maps = new MapDir("c");
    private Path dir;
    private String name;

    @BeforeEach
    void setUp() {
        dir = maps.dir();
        name = maps.name();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void transfersUnderMultiKeyLocksKeepTheTotalExact(Backend b) throws Exception {
        int accounts = 16, processes = 3;
        long transfers = 20_000;
        ArraySpec<Account> spec = Machine.on(b, Ledger.spec(dir, name, accounts));
        try (SharedArray<Account> map = SharedArray.create(spec)) {
            for (int i = 0; i < accounts; i++) map.set(i, Account.of(i, Ledger.START_BALANCE));
            long total = accounts * Ledger.START_BALANCE;
            Path stop = dir.resolve("stop");
            List<ChildJvm> checkers = new ArrayList<>();
            for (int c = 0; c < 2; c++) {
                checkers.add(TestJvm.start(TotalChecker.class, dir.toString(), name, b.name(),
                        Integer.toString(accounts), Long.toString(total), stop.toString()));
            }
            List<ChildJvm> workers = new ArrayList<>();
            for (int w = 0; w < processes; w++) {
                workers.add(TestJvm.start(Transferer.class, dir.toString(), name, b.name(),
                        Integer.toString(accounts), Long.toString(transfers), Integer.toString(w + 1)));
            }
            for (ChildJvm w : workers) {
                w.awaitSuccess(180);
                w.close();
            }
            Files.createFile(stop);
            for (ChildJvm c : checkers) {
                c.awaitSuccess(60);
                String out = c.output().strip();
                System.out.println("checker: " + out);
                assertTrue(out.matches("samples=[1-9]\\d* violations=0 torn=0 reads=\\d+"), out);
                c.close();
            }
            long sum = 0;
            for (int i = 0; i < accounts; i++) {
                assertTrue(map.get(i).consistent());
                sum += map.get(i).balance();
            }
            assertEquals(total, sum);
            assertEquals(List.of(), map.locks());
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aLockHeldByAKilledProcessIsTakenOverEveryTime(Backend b) throws Exception {
        ArraySpec<Long> spec = Machine.on(b, MapSpec.array(name, Codec.i64(), 4).dir(dir));
        int rounds = 50;
        List<Long> takeoverMillis = new ArrayList<>();
        try (SharedArray<Long> map = SharedArray.create(spec)) {
            for (int round = 0; round < rounds; round++) {
                try (ChildJvm holder = TestJvm.start(LockHolder.class, dir.toString(), name, b.name(), "4", "2")) {
                    holder.awaitLine(round == 0 ? "locked" : "locked", 30);
                    // the waiter sleeps on the lock before the holder dies; its bound is 1 s past the kill
                    CompletableFuture<LockGuard> waiter = CompletableFuture.supplyAsync(() -> map.lock(2, Duration.ofMillis(1300)));
                    Thread.sleep(300);
                    long killed = System.nanoTime();
                    holder.kill();
                    LockGuard guard = waiter.get();
                    takeoverMillis.add((System.nanoTime() - killed) / 1_000_000);
                    assertTrue(guard.previousOwnerDied(), "round " + round);
                    guard.close();
                }
            }
        }
        takeoverMillis.sort(null);
        System.out.println("takeover after SIGKILL over " + rounds + " rounds: median " + takeoverMillis.get(rounds / 2)
                + " ms, max " + takeoverMillis.getLast() + " ms");
        assertEquals(rounds, takeoverMillis.size());
    }

    @ParameterizedTest
    @CsvSource({"SHM, wide", "SHM, flat", "BPF, wide", "BPF, flat"})
    void readersNeverSeeATornValue(Backend b, String kind) throws Exception {
        // wide: a record with an array, decoded in place and thrown away if a write overlapped it; flat: a record of
        // primitives, whose constructor must never even be handed a half-written value
        int entries = 8;
        ArraySpec<?> spec = kind.equals("flat") ? WideValues.flatSpec(dir, name, entries) : WideValues.spec(dir, name, entries);
        try (SharedArray<?> map = SharedArray.create(Machine.on(b, spec.lockStripes(2)))) {
            Path stop = dir.resolve("stop");
            try (ChildJvm writer = TestJvm.start(WideValues.class, "write", kind, dir.toString(), name, b.name(),
                    Integer.toString(entries), stop.toString());
                 ChildJvm r1 = TestJvm.start(WideValues.class, "read", kind, dir.toString(), name, b.name(),
                         Integer.toString(entries), "1000000");
                 ChildJvm r2 = TestJvm.start(WideValues.class, "read", kind, dir.toString(), name, b.name(),
                         Integer.toString(entries), "1000000")) {
                r1.awaitSuccess(120);
                r2.awaitSuccess(120);
                Files.createFile(stop);
                writer.awaitSuccess(60);
                System.out.println(kind + " values, writer: " + writer.output().strip() + "; readers: "
                        + r1.output().strip() + ", " + r2.output().strip());
                assertEquals("reads=1000000 torn=0 tornConstructions=0", r1.output().strip());
                assertEquals("reads=1000000 torn=0 tornConstructions=0", r2.output().strip());
                assertTrue(Long.parseLong(writer.output().strip().substring("writes=".length())) > entries);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aWriterKilledMidWriteLeavesOnlyItsEntryUnreadableUntilRepaired(Backend b) throws Exception {
        int entries = 8;
        // one stripe for all entries: the others must stay readable while entry 3 is torn
        ArraySpec<Wide> spec = Machine.on(b, WideValues.spec(dir, name, entries).lockStripes(1)
                .lockTimeout(Duration.ofSeconds(10)));
        try (SharedArray<Wide> map = SharedArray.create(spec)) {
            for (int i = 0; i < entries; i++) map.set(i, Wide.of(i));
            try (ChildJvm writer = TestJvm.start(PausedWriter.class, dir.toString(), name, b.name(),
                    Integer.toString(entries), "3")) {
                writer.awaitLine("paused mid-write", 30);
                // the writer is alive, mid-write: a reader waits for it (here, until we kill it)
                CompletableFuture<Throwable> reader = CompletableFuture.supplyAsync(() -> {
                    try {
                        map.get(3);
                        return null;
                    } catch (Throwable t) {
                        return t;
                    }
                });
                Thread.sleep(300);
                assertTrue(!reader.isDone(), "a reader waits while the writer lives");
                writer.kill();
                Throwable seen = reader.get();
                assertTrue(seen instanceof TornEntryException, String.valueOf(seen));
            }
            String torn = "entry 3 of map '" + name + "' was being written when its writer";
            TornEntryException e = assertThrows(TornEntryException.class, () -> map.get(3));
            assertTrue(e.getMessage().startsWith(torn), e.getMessage());
            assertEquals(Wide.of(4).words()[0], map.get(4).words()[0], "the stripe's other entries read normally");
            try (LockGuard g = map.lock(3)) {
                assertTrue(g.previousOwnerDied());
                assertEquals(List.of(3), map.locks().getFirst().tornEntries());
                assertThrows(TornEntryException.class, () -> map.get(3), "still torn until written");
                map.set(3, Wide.of(33));
            }
            assertEquals(33, map.get(3).words()[7]);
            assertEquals(List.of(), map.locks());
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void twoWritersKilledMidWriteOnOneStripeLeaveEachTheirOwnEntryTorn(Backend b) throws Exception {
        int entries = 8;
        ArraySpec<Wide> spec = Machine.on(b, WideValues.spec(dir, name, entries).lockStripes(1));
        try (SharedArray<Wide> map = SharedArray.create(spec)) {
            for (int i = 0; i < entries; i++) map.set(i, Wide.of(i));
            for (String index : List.of("3", "5")) {
                try (ChildJvm writer = TestJvm.start(PausedWriter.class, dir.toString(), name, b.name(),
                        Integer.toString(entries), index)) {
                    writer.awaitLine("paused mid-write", 30); // the second writer takes the lock over from the first
                    writer.kill();
                }
            }
            try (LockGuard g = map.lock(0)) {
                assertTrue(g.previousOwnerDied());
                assertEquals(List.of(3, 5), map.locks().getFirst().tornEntries());
                map.set(3, Wide.of(33));
                assertEquals(List.of(5), map.locks().getFirst().tornEntries());
            }
            assertEquals(33, map.get(3).words()[0]);
            TornEntryException e = assertThrows(TornEntryException.class, () -> map.get(5), "still torn after 3 was repaired");
            assertTrue(e.getMessage().startsWith("entry 5 of map '" + name + "' was being written when its writer died"),
                    e.getMessage());
            map.set(5, Wide.of(55));
            assertEquals(55, map.get(5).words()[7]);
            assertEquals(List.of(), map.locks());
        }
    }

    /** A child that writes one entry with the mid-write pause hook on, so the test can kill it there. */
    public static final class PausedWriter {
        public static void main(String[] args) {
            int index = Integer.parseInt(args[4]);
            System.setProperty("mapsync.test.pauseWritingIndex", Integer.toString(index));
            ArraySpec<Wide> spec = WideValues.spec(Path.of(args[0]), args[1], Integer.parseInt(args[3]))
                    .backend(Backend.valueOf(args[2]));
            try (SharedArray<Wide> map = SharedArray.open(spec)) {
                map.set(index, Wide.of(-1));
            }
        }
    }
}
