package dev.mapsync;

import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.testkit.CPrograms;
import dev.mapsync.testkit.Ledger;
import dev.mapsync.testkit.Ledger.Account;
import dev.mapsync.testkit.PythonClient;
import dev.mapsync.testkit.PythonClient.Script;
import dev.mapsync.testkit.TestJvm;
import dev.mapsync.testkit.WideValues;
import dev.mapsync.testkit.WideValues.Wide;
import dev.mapsync.launch.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Arrays between the Python client ({@code clients/python}, on libmapsync) and the Java library, process against
 * process: records written by one side read exactly by the other, a Python reader that never sees a record half
 * written while Java writes, a Python and a Java adder on one counter, Python and Java transferring between the same
 * accounts under multi-entry locks, a lock held by a killed Python process taken over by Java, and the entry a
 * killed Java writer left half-written refused by Python (TornEntry) until Java writes it again.
 */
class PyArrayInteropTest {
    @TempDir
    Path dir;

    private final String name = KernelAssumptions.uniqueName("py");

    private static final String SCHEMA = "id:i64,balance:i64,owner:char[16],pos:{x:f32,y:f64},tags:u8[3],on:bool,neg:i16";

    @Test
    void pythonReadsTheRecordsJavaWroteAndJavaReadsThePythonOnes() throws Exception {
        PythonClient.require();
        try (SharedArray<Object> map = SharedArray.create(MapSpec.array(name, Codec.of(Schema.parse(SCHEMA)), 3).dir(dir))) {
            Map<String, Object> value = new LinkedHashMap<>();
            value.put("id", 7L);
            value.put("balance", -100L);
            value.put("owner", "Ada \"the\" first");
            value.put("pos", Map.of("x", 1.5f, "y", -0.25));
            value.put("tags", new byte[]{1, 2, (byte) 255});
            value.put("on", true);
            value.put("neg", (short) -3);
            map.set(2, value);
            CPrograms.Result r = PythonClient.run(dir, "print_records", name, 2, 0);
            assertEquals(0, r.exit(), r.err());
            assertEquals("""
                    {"id": 7, "balance": -100, "owner": "Ada \\"the\\" first", "pos": {"x": 1.5, "y": -0.25}, "tags": [1, 2, 255], "on": true, "neg": -3}
                    {"id": 0, "balance": 0, "owner": "", "pos": {"x": 0.0, "y": 0.0}, "tags": [0, 0, 0], "on": false, "neg": 0}
                    """, r.out());
            assertEquals("", r.err());
        }
        try (SharedArray<Account> ledger = SharedArray.create(Ledger.spec(dir, name + "l", 4))) {
            CPrograms.Result r = PythonClient.run(dir, "write_records", name + "l", 4);
            assertEquals(0, r.exit(), r.err());
            assertEquals("wrote 4\n", r.out());
            for (int i = 0; i < 4; i++) {
                assertEquals(new Account(i, 100L * i - 7, ~(100L * i - 7), "py" + i), ledger.get(i));
            }
        }
    }

    @Test
    void aPythonReaderNeverSeesARecordHalfWrittenByAJavaWriter() throws Exception {
        PythonClient.require();
        int entries = 4;
        try (SharedArray<Account> map = SharedArray.create(Ledger.spec(dir, name, entries).lockStripes(1))) {
            for (int i = 0; i < entries; i++) map.set(i, Account.of(i, 0));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong writes = new AtomicLong();
            Thread writer = Thread.ofPlatform().start(() -> {
                for (long k = 1; !stop.get(); k++) {
                    map.set((int) (k % entries), Account.of(k % entries, k));
                    writes.incrementAndGet();
                }
            });
            try {
                CPrograms.Result r = PythonClient.run(dir, "check_reads", name, entries, 100_000);
                assertEquals(0, r.exit(), r.err());
                System.out.println("Python reader: " + r.out().strip() + "; Java writes: " + writes.get());
                assertTrue(r.out().matches("reads=100000 torn=0 changes=[1-9]\\d*\n"), r.out());
            } finally {
                stop.set(true);
                writer.join();
            }
        }
    }

    @Test
    void pythonRefusesTheEntryAKilledJavaWriterLeftHalfWrittenUntilJavaWritesItAgain() throws Exception {
        PythonClient.require();
        int entries = 8;
        try (SharedArray<Wide> map = SharedArray.create(WideValues.spec(dir, name, entries).lockStripes(1))) {
            for (int i = 0; i < entries; i++) map.set(i, Wide.of(i));
            try (ChildJvm writer = TestJvm.start(LockCrossProcessTest.PausedWriter.class, dir.toString(), name, "SHM",
                    Integer.toString(entries), "3")) {
                writer.awaitLine("paused mid-write", 30);
                writer.kill();
            }
            CPrograms.Result torn = PythonClient.run(dir, "read_entries", name, 3, 4);
            assertEquals(0, torn.exit(), torn.err());
            assertEquals("[3] TornEntry: entry 3 of map " + name + " was being written when its writer died, so it may be"
                    + " half-written; it cannot be read until a lock owner writes it again\n"
                    + "[4] {'words': [4, 4, 4, 4, 4, 4, 4, 4]}\n", torn.out());
            try (LockGuard g = map.lock(3)) {
                assertTrue(g.previousOwnerDied());
                map.set(3, Wide.of(33));
            }
            CPrograms.Result repaired = PythonClient.run(dir, "read_entries", name, 3);
            assertEquals("[3] {'words': [33, 33, 33, 33, 33, 33, 33, 33]}\n", repaired.out());
        }
    }

    @Test
    void aPythonAdderAndAJavaAdderOnOneCounterLoseNoIncrement() throws Exception {
        PythonClient.require();
        int counter = 1, ready = 2, go = 3, n = 100_000;
        try (SharedArray<Long> map = SharedArray.create(MapSpec.array(name, Codec.i64(), 4).dir(dir))) {
            LongSlots slots = map.longs();
            try (Script py = PythonClient.start(dir, "add", name, counter, n, ready, go)) {
                try (ChangeCursor changes = map.changes()) {
                    while (slots.getVolatile(ready) < 1) {
                        assertTrue(py.process().isAlive(), "the Python adder runs");
                        changes.poll(Duration.ofMillis(100));
                    }
                }
                map.set(go, 1L); // recorded as a change: wakes the Python adder
                for (int i = 0; i < n; i++) slots.getAndAdd(counter, 1);
                assertEquals("added " + n + "\n", py.awaitSuccess(120));
            }
            assertEquals(2L * n, slots.getVolatile(counter));
        }
    }

    @Test
    void pythonAndJavaTransferBetweenTheSameAccountsAndTheTotalStaysExact() throws Exception {
        PythonClient.require();
        int accounts = 4, transfers = 3_000;
        try (SharedArray<Account> map = SharedArray.create(Ledger.spec(dir, name, accounts))) {
            for (int i = 0; i < accounts; i++) map.set(i, Account.of(i, Ledger.START_BALANCE));
            try (Script a = PythonClient.start(dir, "transfer", name, 0, 2, transfers);
                 Script b = PythonClient.start(dir, "transfer", name, 3, 0, transfers)) {
                long torn = 0;
                for (int k = 0; k < transfers; k++) { // Java: from 2 to 0 and from 0 to 3, both locked together
                    int from = k % 2 == 0 ? 2 : 0, to = k % 2 == 0 ? 0 : 3;
                    try (LockGuard ignored = map.lockAll(from, to)) {
                        Account x = map.get(from), y = map.get(to);
                        if (!x.consistent() || !y.consistent()) torn++;
                        map.set(from, x.plus(-1));
                        map.set(to, y.plus(1));
                    }
                }
                assertEquals("transferred " + transfers + " from 0 to 2 torn=0\n", a.awaitSuccess(120));
                assertEquals("transferred " + transfers + " from 3 to 0 torn=0\n", b.awaitSuccess(120));
                assertEquals(0, torn);
            }
            long[] balances = new long[accounts];
            for (int i = 0; i < accounts; i++) {
                Account x = map.get(i);
                assertTrue(x.consistent(), x.toString());
                balances[i] = x.balance();
            }
            // 0: -3000 +3000 +1500 -1500; 1: untouched; 2: +3000 -1500; 3: -3000 +1500
            assertEquals(List.of(1000L, 1000L, 2500L, -500L), List.of(balances[0], balances[1], balances[2], balances[3]));
            assertEquals(List.of(), map.locks());
        }
    }

    @Test
    void aLockAKilledPythonProcessHeldIsTakenOverByJava() throws Exception {
        PythonClient.require();
        try (SharedArray<Long> map = SharedArray.create(MapSpec.array(name, Codec.i64(), 4).dir(dir))) {
            long pid;
            try (Script py = PythonClient.start(dir, "hold_lock", name, 2)) {
                assertEquals("locked", py.readLine());
                pid = py.process().pid();
                List<LockInfo> held = map.locks();
                assertEquals(1, held.size());
                assertEquals(2, held.getFirst().stripe());
                assertEquals(pid, held.getFirst().ownerPid());
                assertTrue(held.getFirst().ownerAlive());
                assertTrue(map.tryLock(2).isEmpty(), "a live Python owner keeps the lock");
                py.process().destroyForcibly(); // SIGKILL
                assertTrue(py.process().waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
            }
            try (LockGuard guard = map.lock(2, Duration.ofSeconds(10))) {
                assertTrue(guard.previousOwnerDied(), "Java is told the Python owner died");
                map.set(2, 42L);
            }
            try (LockGuard guard = map.lock(2, Duration.ofSeconds(10))) {
                assertFalse(guard.previousOwnerDied());
            }
            assertEquals(42L, map.get(2));
        }
    }
}
