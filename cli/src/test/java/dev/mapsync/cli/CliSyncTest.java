package dev.mapsync.cli;

import dev.mapsync.testkit.Peer;
import dev.mapsync.testkit.TestDirs;
import dev.mapsync.Codec;
import dev.mapsync.LockGuard;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The commands around locks and notifications: lock, locks, unlock, watch, wait. */
class CliSyncTest {
    private Path dir;

    @BeforeEach
    void setUp() throws IOException {
        dir = TestDirs.create();
    }

    @AfterEach
    void tearDown() throws IOException {
        TestDirs.delete(dir);
    }

    private Cli ms(String... args) {
        return Cli.in(dir, args);
    }

    private SharedArray<Long> counters(int entries) {
        return SharedArray.openOrCreate(MapSpec.array("m", Codec.i64(), entries).dir(dir));
    }

    @Test
    void lockRunsTheCommandUnderTheLockAndExitsWithItsStatus() {
        try (SharedArray<Long> map = counters(4)) {
            Cli run = ms("lock", "m", "2", "--", "sh", "-c", "exit 3");
            assertEquals(3, run.code(), run.err());
            assertEquals("", run.err());
            assertEquals("", ms("locks", "m").out(), "the lock is free again");
            Cli missing = ms("lock", "m", "2", "--", "/nonexistent/command");
            assertEquals(127, missing.code());
            assertTrue(missing.err().startsWith("mapsync: cannot run /nonexistent/command: "), missing.err());
        }
    }

    @Test
    void aLockHeldElsewhereTimesOutWith124AndIsListedWithItsOwner() throws Exception {
        try (SharedArray<Long> map = counters(4);
             LockGuard held = map.lock(1)) {
            Cli timedOut = CompletableFuture.supplyAsync(() -> ms("lock", "m", "1", "--timeout", "200ms", "--", "true")).get();
            assertEquals(124, timedOut.code());
            assertTrue(timedOut.err().startsWith("mapsync: timed out after 0."), timedOut.err());
            long pid = ProcessHandle.current().pid();
            String listing = ms("locks", "m").out();
            assertTrue(listing.startsWith("LOCK                PID OWNER  HELD SINCE                 NOTES\nentry 1"), listing);
            assertTrue(listing.contains(" " + pid + " alive "), listing);
            String json = ms("locks", "m", "--json").out();
            assertTrue(json.startsWith("[{\"lock\":\"entry\",\"stripe\":1,\"owner_pid\":" + pid + ",\"owner_alive\":true,"), json);
            Cli refused = CompletableFuture.supplyAsync(() -> ms("unlock", "m", "1", "--force")).get();
            assertEquals(6, refused.code());
            assertEquals("mapsync: refusing to free the lock of entry 1 of map 'm': its owner, pid " + pid + ", is alive\n",
                    refused.err());
            assertEquals(1, ms("unlock", "m", "1").code(), "--force is required");
        }
    }

    @Test
    void watchPrintsEachChangeAsItHappens() throws Exception {
        try (SharedArray<Long> map = counters(4)) {
            CompletableFuture<Cli> watch = CompletableFuture.supplyAsync(() -> ms("watch", "m", "--keys", "1-2", "--json", "--count", "3"));
            long deadline = System.nanoTime() + 10_000_000_000L;
            // keep changing until the watcher has subscribed and seen three changes of keys 1 and 2
            long v = 0;
            while (!watch.isDone() && System.nanoTime() < deadline) {
                map.set(0, ++v);
                map.set(1, v);
                Thread.sleep(20);
            }
            Cli out = watch.get();
            assertEquals(0, out.code(), out.err());
            String[] lines = out.out().strip().split("\n");
            assertEquals(3, lines.length, out.out());
            for (String line : lines) {
                assertTrue(line.matches("\\{\"key\":1,\"seq\":\\d+,\"pid\":" + ProcessHandle.current().pid() + ",\"value\":\\d+}"), line);
            }
        }
    }

    /** No change comes, and the reader of the output goes away: watch ends quietly instead of watching on. */
    @Test
    void watchWhoseReaderWentAwayWhileNoChangeCameEnds() throws Exception {
        try (SharedArray<Long> map = counters(4)) {
            Cli watch = Cli.withReaderGone(dir, "watch", "m");
            assertEquals(0, watch.code(), watch.err());
            assertEquals("", watch.err());
        }
    }

    @Test
    void watchWithATimeoutEndsWith124WhenFewerChangesCameAndZeroWithoutACount() throws Exception {
        try (SharedArray<Long> map = counters(4)) {
            Cli none = ms("watch", "m", "--count", "1", "--timeout", "200ms");
            assertEquals(124, none.code(), none.err());
            assertEquals("", none.out());
            assertEquals("mapsync: watched map 'm' for 200 ms: 0 of 1 changes came\n", none.err());
            Cli quiet = ms("watch", "m", "--timeout", "100ms");
            assertEquals(0, quiet.code(), quiet.err());
            assertEquals("", quiet.out() + quiet.err());
            CompletableFuture<Cli> one = CompletableFuture.supplyAsync(() -> ms("watch", "m", "--count", "1", "--timeout", "10s"));
            // changes until the watcher has subscribed: --count 1 prints exactly one, however many came
            for (long v = 1; !one.isDone(); v++) {
                map.set(2, v);
                map.set(2, -v);
                Thread.sleep(5);
            }
            Cli got = one.get();
            assertEquals(0, got.code(), got.err());
            assertEquals(1, got.out().lines().count(), got.out());
        }
    }

    @Test
    void aWarningOfTheLibraryIsOneLineOnStderr() {
        try (SharedArray<Long> map = counters(4)) {
            // a peer left the subscriber count wrapped: the watch sets it right, and the library warns that it did
            Peer.putInt(dir.resolve("m"), Peer.subscribers(), -3);
            Cli watch = ms("watch", "m", "--timeout", "100ms");
            assertEquals(0, watch.code(), watch.err());
            assertEquals("mapsync: warning: map 'm': its subscriber count was 4294967294, which no set of subscriptions"
                    + " gives (another process wrote it, or it wrapped); set it to 1, the subscriptions of the processes"
                    + " that have the map open. Changes made while it was 0 were not recorded for them.\n", watch.err());
        }
    }

    @Test
    void waitReturnsWhenTheValueComesOr124WhenTimeRunsOut() throws Exception {
        try (SharedArray<Long> map = counters(2)) {
            Cli late = ms("wait", "m", "0", "--until", "5", "--timeout", "150ms");
            assertEquals(124, late.code());
            CompletableFuture<Cli> waiting = CompletableFuture.supplyAsync(() -> ms("wait", "m", "0", "--until", "5", "--timeout", "10s"));
            Thread.sleep(200);
            map.set(0, 4L);
            map.set(0, 5L);
            assertEquals(0, waiting.get().code());
        }
    }

    @Test
    void waitMatchesOnlyTheFieldsItNames() throws Exception {
        record Job(int state, long progress) {}
        try (SharedArray<Job> jobs = SharedArray.create(MapSpec.array("jobs", Job.class, 2).dir(dir))) {
            jobs.set(1, new Job(0, 77));
            CompletableFuture<Cli> waiting = CompletableFuture.supplyAsync(() -> ms("wait", "jobs", "1", "--until", "state=2", "--timeout", "10s"));
            Thread.sleep(200);
            jobs.set(1, new Job(2, 99));
            assertEquals(0, waiting.get().code());
        }
    }
    @Test
    void waitKeepsItsOwnTimeoutBehindAWriteThatNeverEnds() {
        record Job(int state, long progress) {}
        try (SharedArray<Job> jobs = SharedArray.create(MapSpec.array("jobs", Job.class, 4).dir(dir));
             LockGuard held = jobs.lock(3)) {
            // a live owner holds entry 3's lock while its sequence word says a write is under way, for ever
            Peer.putLong(dir.resolve("jobs"), Peer.stripeRecord(3) + Peer.SEQ, 4L << 32 | 1);
            long start = System.nanoTime();
            Cli stalled = ms("wait", "jobs", "3", "--until", "state=9", "--timeout", "1s");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(124, stalled.code(), stalled.err());
            assertTrue(millis >= 1000 && millis < 5000, "returned after " + millis + " ms");
            assertEquals("mapsync: timed out after 1.0 s waiting for entry 3 of map 'jobs': a write by pid "
                    + ProcessHandle.current().pid() + " (alive) has been in progress\n", stalled.err());
            Peer.putLong(dir.resolve("jobs"), Peer.stripeRecord(3) + Peer.SEQ, 2);
        }
    }

    @Test
    void waitOnATornEntryWaitsForItToBeRewritten() throws Exception {
        record Job(int state, long progress) {}
        try (SharedArray<Job> jobs = SharedArray.create(MapSpec.array("jobs", Job.class, 4).dir(dir))) {
            Peer.putLong(dir.resolve("jobs"), Peer.stripeRecord(3) + Peer.SEQ, 4L << 32 | 1); // a dead write
            Cli torn = ms("wait", "jobs", "3", "--until", "state=9", "--timeout", "300ms");
            assertEquals(124, torn.code());
            assertTrue(torn.err().startsWith("mapsync: timed out after 300 ms waiting for entry 3 of map 'jobs': entry 3"
                    + " of map 'jobs' was being written when its writer died"), torn.err());
            CompletableFuture<Cli> waiting = CompletableFuture.supplyAsync(() -> ms("wait", "jobs", "3", "--until", "state=9", "--timeout", "10s"));
            jobs.set(3, new Job(9, 1));
            assertEquals(0, waiting.get().code());
        }
    }
}
