package dev.mapsync;

import dev.mapsync.internal.store.Bpffs;
import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.CPrograms;
import dev.mapsync.testkit.Ledger;
import dev.mapsync.testkit.Ledger.Account;
import dev.mapsync.testkit.LockHolder;
import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.TestJvm;
import dev.mapsync.testkit.TotalChecker;
import dev.mapsync.testkit.Transferer;
import dev.mapsync.testkit.WideValues;
import dev.mapsync.testkit.WideValues.Wide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * libmapsync's locks against the Java library's, process against process: C and Java transfer between the same
 * accounts under multi-entry locks at once (the total stays exact, and neither side ever reads a record
 * half-written), a lock whose C or Java owner is killed with SIGKILL is taken over by the other side, which is
 * told that its previous owner died, and a C writer killed in the middle of its work leaves at most the entry it was
 * writing torn for Java.
 */
class CLockInteropTest {
    @TempDir
    Path dir;

    private final String name = KernelAssumptions.uniqueName("clock");
    @RegisterExtension
    final KernelAssumptions.Pins pins = new KernelAssumptions.Pins();

    private <V> ArraySpec<V> on(Backend b, ArraySpec<V> spec) {
        if (b == Backend.BPF) pins.track(Bpffs.defaultPin(spec.name()));
        return Machine.on(b, spec);
    }

    private String cName(Backend b) {
        return (b == Backend.BPF ? "bpf:" : "") + name;
    }

    private Process startC(Path program, Path out, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(program.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put("MAPSYNC_DIR", dir.toString());
        return pb.start();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void cAndJavaTransferBetweenTheSameAccountsAndTheTotalStaysExact(Backend b) throws Exception {
        Path transfer = CPrograms.example("transfer", b);
        Path check = CPrograms.testProgram("ledger_check", b);
        int accounts = 8;
        long javaTransfers = 5_000, cTransfers = 20_000;
        try (SharedArray<Account> map = SharedArray.create(on(b, Ledger.spec(dir, name, accounts)))) {
            for (int i = 0; i < accounts; i++) map.set(i, Account.of(i, Ledger.START_BALANCE));
            long total = accounts * Ledger.START_BALANCE;
            Path stop = dir.resolve("stop");
            try (ChildJvm javaCheck = TestJvm.start(TotalChecker.class, dir.toString(), name, b.name(),
                    Integer.toString(accounts), Long.toString(total), stop.toString());
                 ChildJvm j1 = TestJvm.start(Transferer.class, dir.toString(), name, b.name(), Integer.toString(accounts),
                         Long.toString(javaTransfers), "1");
                 ChildJvm j2 = TestJvm.start(Transferer.class, dir.toString(), name, b.name(), Integer.toString(accounts),
                         Long.toString(javaTransfers), "2")) {
                Process cCheck = startC(check, dir.resolve("check.out"), cName(b), Integer.toString(accounts),
                        Long.toString(total), stop.toString());
                // two C transferers over pairs the Java ones also use, in opposite lock-taking directions
                Process c1 = startC(transfer, dir.resolve("c1.out"), cName(b), "0", "5", Long.toString(cTransfers));
                Process c2 = startC(transfer, dir.resolve("c2.out"), cName(b), "5", "0", Long.toString(cTransfers / 2));
                try {
                    assertTrue(c1.waitFor(180, TimeUnit.SECONDS) && c2.waitFor(180, TimeUnit.SECONDS), "the C transferers finish");
                    j1.awaitSuccess(180);
                    j2.awaitSuccess(180);
                    Files.createFile(stop);
                    javaCheck.awaitSuccess(60);
                    assertTrue(cCheck.waitFor(60, TimeUnit.SECONDS), "the C checker finishes");
                } finally {
                    for (Process p : List.of(c1, c2, cCheck)) p.destroyForcibly();
                }
                assertEquals("transferred " + cTransfers + " from 0 to 5\n", Files.readString(dir.resolve("c1.out")));
                assertEquals("transferred " + cTransfers / 2 + " from 5 to 0\n", Files.readString(dir.resolve("c2.out")));
                assertEquals("done", j1.output().strip());
                assertEquals("done", j2.output().strip());
                String java = javaCheck.output().strip();
                assertTrue(java.matches("samples=[1-9]\\d* violations=0 torn=0 reads=\\d+"), java);
                String c = Files.readString(dir.resolve("check.out")).strip();
                assertEquals(0, cCheck.exitValue(), c);
                assertTrue(c.matches("samples=[1-9]\\d* violations=0 torn=0 reads=[1-9]\\d* errors=0"), c);
            }
            long sum = 0;
            for (int i = 0; i < accounts; i++) {
                Account a = map.get(i);
                assertTrue(a.consistent(), a.toString());
                assertEquals(i, a.id());
                sum += a.balance();
            }
            assertEquals(total, sum);
            assertEquals(List.of(), map.locks());
        }
    }

    @Test
    void aLockAKilledCProcessHeldIsTakenOverByJava() throws Exception {
        Path transfer = CPrograms.example("transfer", Backend.SHM);
        try (SharedArray<Long> map = SharedArray.create(MapSpec.array(name, Codec.i64(), 4).dir(dir))) {
            ProcessBuilder pb = new ProcessBuilder(transfer.toString(), name, "1", "3", "1", "--hold").redirectErrorStream(true);
            pb.environment().put("MAPSYNC_DIR", dir.toString());
            Process c = pb.start();
            c.getOutputStream().close();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8));
                assertEquals("locked", out.readLine());
                List<LockInfo> held = map.locks();
                assertEquals(List.of(1, 3), held.stream().map(LockInfo::stripe).toList());
                for (LockInfo l : held) {
                    assertEquals(c.pid(), l.ownerPid());
                    assertTrue(l.ownerAlive());
                }
                assertTrue(map.tryLock(1).isEmpty(), "a live C owner keeps the lock");
            } finally {
                c.destroyForcibly(); // SIGKILL
                assertTrue(c.waitFor(10, TimeUnit.SECONDS));
            }
            try (LockGuard guard = map.lock(1, java.time.Duration.ofSeconds(10))) {
                assertTrue(guard.previousOwnerDied());
            }
            try (LockGuard guard = map.lockAll(1, 3)) {
                assertTrue(guard.previousOwnerDied(), "stripe 3 was the dead C process's too");
            }
            try (LockGuard guard = map.lockAll(1, 3)) {
                assertFalse(guard.previousOwnerDied());
            }
            assertEquals(List.of(), map.locks());
        }
    }

    @Test
    void aLockAKilledJavaProcessHeldIsTakenOverByC() throws Exception {
        Path transfer = CPrograms.example("transfer", Backend.SHM);
        try (SharedArray<Long> map = SharedArray.create(MapSpec.array(name, Codec.i64(), 4).dir(dir))) {
            try (ChildJvm holder = TestJvm.start(LockHolder.class, dir.toString(), name, "SHM", "4", "2")) {
                holder.awaitLine("locked", 30);
                CPrograms.Result refused = CPrograms.run(Map.of("MAPSYNC_DIR", dir.toString()),
                        List.of(transfer.toString(), name, "2", "0", "1"));
                // the Java owner lives: the C transferer waits its 10 s timeout out and names the owner
                assertEquals(124, refused.exit(), refused.out() + refused.err());
                assertTrue(refused.err().matches("transfer: timed out after 10\\.\\d s waiting for the lock of stripe 2 of map "
                        + name + ": held by pid " + holder.pid() + " \\(alive\\) for at least \\d+\\.\\d s\n"), refused.err());
                holder.kill();
            }
            CPrograms.Result r = CPrograms.run(Map.of("MAPSYNC_DIR", dir.toString()),
                    List.of(transfer.toString(), name, "2", "0", "3"));
            assertEquals(0, r.exit(), r.err());
            assertEquals("previous owner died\ntransferred 3 from 2 to 0\n", r.out());
            assertEquals("", r.err());
            assertEquals(-3L, map.get(2));
            assertEquals(3L, map.get(0));
            assertEquals(List.of(), map.locks());
        }
    }

    @Test
    void aCWriterKilledAnywhereLeavesAtMostTheEntryItWasWritingTorn() throws Exception {
        Path writer = CPrograms.testProgram("wide_write", Backend.SHM);
        int entries = 4, rounds = 16, tornSeen = 0;
        // one stripe: a write of any entry holds the lock of all, so a kill inside a window is likely
        try (SharedArray<Wide> map = SharedArray.create(WideValues.spec(dir, name, entries).lockStripes(1));
             SharedArray<Long> progress = SharedArray.create(MapSpec.array(name + "p", Codec.i64(), 1).dir(dir))) {
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < entries; i++) map.set(i, Wide.of(0));
                progress.longs().setRelease(0, 0);
                Process p = startC(writer, dir.resolve("writer.out"), name, Integer.toString(entries), name + "p");
                try {
                    long target = 1000 + 313L * round;
                    while (progress.longs().getAcquire(0) < target) {
                        assertTrue(p.isAlive(), "the C writer ended");
                        Thread.onSpinWait();
                    }
                } finally {
                    p.destroyForcibly(); // SIGKILL, wherever it is
                    assertTrue(p.waitFor(10, TimeUnit.SECONDS));
                }
                long finished = progress.longs().getAcquire(0);
                int inFlight = (int) ((finished + 1) % entries); // the write it was in, if it was in one
                for (int i = 0; i < entries; i++) {
                    long last = Math.max(0, finished - Math.floorMod(finished - i, entries)); // its last finished write
                    int entry = i;
                    if (i != inFlight) {
                        assertEquals(Wide.of(last).words()[0], map.get(i).words()[0], "round " + round + ", entry " + i);
                        assertTrue(map.get(i).consistent());
                        continue;
                    }
                    try {
                        Wide w = map.get(i);
                        assertTrue(w.consistent(), "round " + round);
                        long v = w.words()[0];
                        assertTrue(v == last || v == finished + 1, "round " + round + ": entry " + i + " holds " + v);
                    } catch (TornEntryException e) {
                        tornSeen++;
                        try (LockGuard g = map.lock(i)) {
                            assertTrue(g.previousOwnerDied());
                            assertThrows(TornEntryException.class, () -> map.get(entry));
                            map.set(i, Wide.of(-1));
                        }
                        assertEquals(Wide.of(-1).words()[0], map.get(i).words()[0]);
                    }
                }
                try (LockGuard g = map.lock(0)) {
                    // the one stripe's lock: taken over if the writer died holding it
                    assertEquals(List.of(), map.locks().stream().filter(l -> !l.tornEntries().isEmpty()).toList());
                }
            }
            System.out.println("C writer killed " + rounds + " times, " + tornSeen + " of them in the middle of a write");
        }
    }
}
