package dev.mapsync;

import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.internal.store.ControlLayout;
import dev.mapsync.testkit.CPrograms;
import dev.mapsync.testkit.Peer;
import dev.mapsync.testkit.Ledger;
import dev.mapsync.testkit.Ledger.Account;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Change notifications between libmapsync and the Java library (FORMAT.md §4.3): the records a C process writes
 * reach a Java {@link ChangeCursor}, one change per write, in order, with the C writer's pid; and a C cursor
 * subscribed to a map receives the writes and atomics of Java, exactly as they were made.
 */
class CChangesInteropTest {
    @TempDir
    Path dir;

    private final String name = KernelAssumptions.uniqueName("cchg");

    private ProcessBuilder c(Path program, String... args) {
        List<String> command = new ArrayList<>(List.of(program.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("MAPSYNC_DIR", dir.toString());
        return pb;
    }

    @Test
    void aJavaCursorReceivesEveryRecordACProcessWrites() throws Exception {
        Path transfer = CPrograms.example("transfer", Backend.SHM);
        int transfers = 300;
        try (SharedArray<Account> map = SharedArray.create(Ledger.spec(dir, name, 4))) {
            for (int i = 0; i < 4; i++) map.set(i, Account.of(i, Ledger.START_BALANCE));
            try (ChangeCursor cursor = map.changes()) {
                Path out = dir.resolve("c.out");
                Process p = c(transfer, name, "3", "1", Integer.toString(transfers)).redirectErrorStream(true)
                        .redirectOutput(out.toFile()).start();
                assertTrue(p.waitFor(60, TimeUnit.SECONDS));
                assertEquals("transferred " + transfers + " from 3 to 1\n", Files.readString(out));
                List<ChangeEvent> events = new ArrayList<>();
                while (events.size() < 2 * transfers) {
                    List<ChangeEvent> got = cursor.poll(Duration.ofSeconds(10));
                    assertTrue(!got.isEmpty(), "changes stopped after " + events.size());
                    events.addAll(got);
                }
                assertEquals(2 * transfers, events.size());
                long first = ((Change) events.getFirst()).seq();
                for (int i = 0; i < events.size(); i++) {
                    // each transfer writes the entry it moves from, then the one it moves to
                    assertEquals(new Change(i % 2 == 0 ? 3 : 1, first + i, (int) p.pid()), events.get(i));
                }
                assertEquals(List.of(), cursor.poll(Duration.ZERO));
            }
            assertEquals(Account.of(3, Ledger.START_BALANCE - transfers), map.get(3));
            assertEquals(Account.of(1, Ledger.START_BALANCE + transfers), map.get(1));
        }
    }

    @Test
    void aCCursorReceivesTheWritesAndAtomicsOfJava() throws Exception {
        Path watch = CPrograms.example("watch", Backend.SHM);
        try (SharedArray<Long> map = SharedArray.create(MapSpec.array(name, Codec.i64(), 4).dir(dir))) {
            Path err = dir.resolve("c.err");
            Process p = c(watch, name, "5").redirectError(err.toFile()).start();
            p.getOutputStream().close();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                assertEquals("subscribed", out.readLine());
                assertEquals(1, map.syncStatus().subscribers());
                map.set(2, 7L);
                map.longs().getAndAdd(0, 5);
                map.set(3, -1L);
                assertTrue(map.longs().compareAndSet(0, 5, 6));
                map.longs().getAndAdd(2, 1);
                int pid = (int) ProcessHandle.current().pid();
                List<String> lines = new ArrayList<>();
                for (String line; (line = out.readLine()) != null; ) lines.add(line);
                assertTrue(p.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, p.exitValue(), Files.readString(err));
                assertEquals(List.of("change 1 2 write " + pid, "change 2 0 atomic " + pid, "change 3 3 write " + pid,
                        "change 4 0 atomic " + pid, "change 5 2 atomic " + pid), lines);
            } finally {
                p.destroyForcibly();
            }
            assertEquals(0, map.syncStatus().subscribers(), "the C cursor unsubscribed");
            assertEquals(8L, map.get(2));
        }
    }

    /** A head a peer moved back behind changes already published: a C cursor refuses to start from it. */
    @Test
    void aCCursorRefusesAHeadBehindThePublishedChanges() throws Exception {
        Path watch = CPrograms.example("watch", Backend.SHM);
        try (SharedArray<Long> map = SharedArray.create(MapSpec.array(name, Codec.i64(), 4).dir(dir))) {
            try (ChangeCursor cursor = map.changes()) {
                for (long v = 1; v <= 5; v++) map.set(3, v);
                assertEquals(5, cursor.poll(Duration.ofSeconds(1)).size());
            }
            Peer.putLong(map.info().file(), Peer.CONTROL + ControlLayout.EVENT_BLOCK, 0); // the head
            Process p = c(watch, name, "1").redirectErrorStream(true).start();
            p.getOutputStream().close();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals("watch: map " + name + " is corrupt: its change log holds change 1, published, past its head 0\n",
                    new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            assertEquals(3, p.exitValue());
            assertEquals(0, map.syncStatus().subscribers(), "the refused cursor counts for no one");
        }
    }

    @Test
    void aCPollWaitsForAChangeReservedAndNotPublishedNoLongerThanItsTimeout() throws Exception {
        Path poll = CPrograms.testProgram("changes_poll", Backend.SHM);
        try (SharedArray<Long> map = SharedArray.create(MapSpec.array(name, Codec.i64(), 4).dir(dir))) {
            Process p = c(poll, name, "0", "100", "5000", "5000").redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("subscribed", out.readLine());
            Peer.putLong(map.info().file(), Peer.CONTROL + ControlLayout.EVENT_BLOCK, 5); // changes 1..5 reserved, none published
            go(p, 4); // every poll at once
            for (int timeout : new int[]{0, 100}) {
                String line = out.readLine();
                assertTrue(line.startsWith("poll " + timeout + ": ms="), line); // nothing handed out, nothing missed yet
                int millis = Integer.parseInt(line.substring(line.indexOf("ms=") + 3));
                assertTrue(millis < timeout + 400, "a poll of " + timeout + " ms took " + millis + " ms");
            }
            String missed = out.readLine();
            assertEquals("poll 5000: missed 1+5 ms=", upToMillis(missed));
            map.set(2, 7L);
            String change = out.readLine();
            assertEquals("poll 5000: 2@6 ms=", upToMillis(change));
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
            assertEquals(5, map.syncStatus().missedChanges());
        }
    }

    /** As Java's cursor ({@code ChangeLogCorruptionTest}): a change held back that comes gives the later ones a wait. */
    @Test
    void aCPollGivesTheChangesAfterOneHeldBackThatCameAWaitOfTheirOwn() throws Exception {
        Path poll = CPrograms.testProgram("changes_poll", Backend.SHM);
        try (SharedArray<Long> map = SharedArray.create(MapSpec.array(name, Codec.i64(), 4).lockStripes(4)
                .changelogCapacity(64).dir(dir))) {
            Process p = c(poll, name, "0", "100", "100").redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("subscribed", out.readLine());
            Path file = map.info().file();
            long head = Peer.CONTROL + ControlLayout.EVENT_BLOCK;
            Peer.putLong(file, head, 1); // change 1 reserved by a slow writer
            go(p, 1);
            String held = out.readLine();
            assertEquals("poll 0: ms=", upToMillis(held));
            long stopped = System.nanoTime();
            ChangeLogCorruptionTest.awaitTheSecondAPassWaits(stopped);
            map.set(2, 7L); // reserves and publishes change 2
            assertEquals(2, Peer.getLong(file, head));
            long first = Peer.stripeRecord(4); // the change log's first entry, change 1's: the slow writer publishes it
            Peer.putInt(file, first + 8, 1); // key
            Peer.putInt(file, first + 16, 1); // kind: a write
            Peer.putLong(file, first, 1); // seq, last
            Peer.putLong(file, head, 3); // change 3 just reserved by another writer
            go(p, 2);
            String came = out.readLine();
            assertEquals("poll 100: 1@1 2@2 ms=", upToMillis(came));
            String waited = out.readLine();
            assertEquals("poll 100: ms=", upToMillis(waited), "change 3 waited for, not missed");
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
            assertEquals(0, map.syncStatus().missedChanges());
        }
    }

    /** As Java's (NotifyTest): polls of 0 ms beside two Java writers count nothing missed that the log holds. */
    @Test
    void cPollsOfZeroBesideJavaWritersMissNothing() throws Exception {
        Path count = CPrograms.testProgram("poll_count", Backend.SHM);
        int each = 100_000;
        try (SharedArray<Long> map = SharedArray.create(MapSpec.array(name, Codec.i64(), 2).changelogCapacity(1 << 18)
                .dir(dir))) {
            Process p = c(count, name, Integer.toString(2 * each)).redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("subscribed", out.readLine());
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int key = w;
                writers.add(Thread.ofPlatform().start(() -> {
                    for (int n = 0; n < each; n++) map.longs().getAndAdd(key, 1);
                }));
            }
            for (Thread t : writers) t.join();
            assertEquals("delivered=" + 2 * each + " missed=0", out.readLine());
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
        }
    }

    /** Lets the {@code changes_poll} tool run its next {@code polls} polls. */
    private static void go(Process p, int polls) throws IOException {
        p.getOutputStream().write("\n".repeat(polls).getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().flush();
    }

    /** A line of the {@code changes_poll} tool without the milliseconds its poll took. */
    private static String upToMillis(String line) {
        return line.substring(0, line.indexOf("ms=") + 3);
    }
}
