package dev.mapsync;

import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.MapDir;
import dev.mapsync.testkit.Peer;
import dev.mapsync.testkit.RingRecords;
import dev.mapsync.testkit.RingRecords.Item;
import dev.mapsync.testkit.RingProducerChild;
import dev.mapsync.testkit.LockHolder;
import dev.mapsync.testkit.TestJvm;
import dev.mapsync.testkit.WideValues;
import dev.mapsync.testkit.WideValues.Wide;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.SettingDescriptor;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JDK Flight Recorder events {@code dev.mapsync.*}: each one recorded in this JVM with the exact values of what
 * happened, most of them caused by another process (a lock holder, a writer or a producer killed with SIGKILL); the
 * threshold of lock waits, which a recording's settings change; the {@code jfr} tool printing them; and a process
 * that reaches none of the slow paths loads no event class at all.
 */
class FlightRecorderTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @RegisterExtension
    final MapDir maps = new MapDir("jfr");

    // --------------------------------------------------------------------------------------------------- locks

    @Test
    void aWaitForALockAnotherProcessHoldsIsRecordedWithItsOwnerAndTheWholeWait() throws Exception {
        try (SharedArray<Long> map = SharedArray.create(MapSpec.array(maps.name(), Codec.i64(), 8).lockStripes(4)
                .dir(maps.dir()));
             Recording recording = start()) {
            Path release = maps.dir().resolve("release");
            long pid, held, called;
            String[] waiterThread = new String[1];
            try (ChildJvm holder = TestJvm.start(HolderUntilFile.class, maps.dir().toString(), maps.name(), "8", "6",
                    release.toString())) {
                holder.awaitLine("locked", 30);
                pid = holder.pid();
                CompletableFuture<Long> waiter = CompletableFuture.supplyAsync(() -> {
                    waiterThread[0] = Thread.currentThread().getName();
                    long start = System.nanoTime();
                    try (LockGuard g = map.lock(6, PATIENCE)) {
                        assertFalse(g.previousOwnerDied());
                    }
                    return System.nanoTime() - start;
                });
                // the waiter sets the lock word's waiters bit once its event has begun, just before it sleeps
                awaitSleeper(map, 6 % 4);
                long sleeping = System.nanoTime();
                Thread.sleep(300);
                held = System.nanoTime() - sleeping; // at least: the holder lets go once it sees the file
                Files.createFile(release);
                called = waiter.get(30, TimeUnit.SECONDS);
                holder.awaitSuccess(30);
            }
            RecordedEvent wait = only(recording, "dev.mapsync.LockWait");
            assertEquals(maps.name(), wait.getString("map"));
            assertEquals("entry 6 (stripe 2)", wait.getString("lock"));
            assertEquals(6, wait.getInt("entry"));
            assertEquals(2, wait.getInt("stripe"));
            assertEquals(pid, wait.getInt("ownerPid"));
            assertFalse(wait.getBoolean("timedOut"));
            assertEquals("acquired", wait.getString("outcome"));
            long nanos = wait.getDuration().toNanos();
            assertTrue(nanos >= held, "the event (" + nanos + " ns) covers the time the holder kept the lock while the"
                    + " waiter slept (" + held + " ns)");
            assertTrue(nanos <= called, "the event (" + nanos + " ns) lies inside the lock call (" + called + " ns)");
            assertEquals(waiterThread[0], wait.getThread().getJavaName());
        }
    }

    @Test
    void aLockTakenOverFromAKilledOwnerIsRecordedWithTheDeadOwnersPid() throws Exception {
        try (SharedArray<Long> map = SharedArray.create(MapSpec.array(maps.name(), Codec.i64(), 4).dir(maps.dir()));
             Recording recording = start()) {
            long pid, held, called;
            try (ChildJvm holder = TestJvm.start(LockHolder.class, maps.dir().toString(), maps.name(), "SHM", "4",
                    "2")) {
                holder.awaitLine("locked", 30);
                pid = holder.pid();
                CompletableFuture<Long> waiter = CompletableFuture.supplyAsync(() -> {
                    long start = System.nanoTime();
                    try (LockGuard g = map.lock(2, PATIENCE)) {
                        assertTrue(g.previousOwnerDied());
                    }
                    return System.nanoTime() - start;
                });
                awaitSleeper(map, 2);
                long sleeping = System.nanoTime();
                Thread.sleep(200);
                held = System.nanoTime() - sleeping; // at least: it holds the lock until it dies
                holder.kill();
                called = waiter.get(30, TimeUnit.SECONDS);
            }
            RecordedEvent takeover = only(recording, "dev.mapsync.LockTakeover");
            assertEquals(maps.name(), takeover.getString("map"));
            assertEquals("entry 2", takeover.getString("lock"));
            assertEquals(2, takeover.getInt("entry"));
            assertEquals(2, takeover.getInt("stripe"));
            assertEquals(pid, takeover.getInt("deadOwnerPid"));

            RecordedEvent wait = only(recording, "dev.mapsync.LockWait");
            assertEquals(maps.name(), wait.getString("map"));
            assertEquals("entry 2", wait.getString("lock"));
            assertEquals(pid, wait.getInt("ownerPid"));
            assertFalse(wait.getBoolean("timedOut"));
            assertEquals("taken over from a dead owner", wait.getString("outcome"));
            long nanos = wait.getDuration().toNanos();
            assertTrue(nanos >= held && nanos <= called, "event " + nanos + " ns, held " + held + " ns, call "
                    + called);
        }
    }

    @Test
    void aWaitThatTimesOutIsRecordedAsTimedOut() throws Exception {
        try (SharedArray<Long> map = SharedArray.create(MapSpec.array(maps.name(), Codec.i64(), 4).dir(maps.dir()));
             Recording recording = start();
             ChildJvm holder = TestJvm.start(LockHolder.class, maps.dir().toString(), maps.name(), "SHM", "4", "1")) {
            holder.awaitLine("locked", 30);
            long start = System.nanoTime();
            LockTimeoutException e = assertThrows(LockTimeoutException.class,
                    () -> map.lock(1, Duration.ofMillis(300)));
            long called = System.nanoTime() - start;
            assertEquals(holder.pid(), e.ownerPid());
            holder.kill();
            RecordedEvent wait = only(recording, "dev.mapsync.LockWait");
            assertEquals("entry 1", wait.getString("lock"));
            assertEquals(holder.pid(), wait.getInt("ownerPid"));
            assertTrue(wait.getBoolean("timedOut"));
            assertEquals("timed out", wait.getString("outcome"));
            long nanos = wait.getDuration().toNanos();
            // the event begins when the waiter stops spinning (microseconds into the call) and ends at the deadline
            assertTrue(nanos >= Duration.ofMillis(250).toNanos() && nanos <= called, nanos + " ns of " + called);
        }
    }

    @Test
    void theThresholdIsTwentyMillisecondsAndARecordingChangesIt() throws Exception {
        EventType type = FlightRecorder.getFlightRecorder().getEventTypes().stream()
                .filter(t -> t.getName().equals("dev.mapsync.LockWait")).findFirst().orElseThrow();
        SettingDescriptor threshold = type.getSettingDescriptors().stream()
                .filter(s -> s.getName().equals("threshold")).findFirst().orElseThrow();
        assertEquals("20 ms", threshold.getDefaultValue());
        assertEquals(List.of("mapsync", "Locks"), type.getCategoryNames());

        try (SharedArray<Long> map = SharedArray.create(MapSpec.array(maps.name(), Codec.i64(), 4).dir(maps.dir()));
             ChildJvm holder = TestJvm.start(LockHolder.class, maps.dir().toString(), maps.name(), "SHM", "4", "1")) {
            holder.awaitLine("locked", 30);
            try (Recording recording = new Recording()) {
                recording.enable("dev.mapsync.LockWait").withThreshold(Duration.ofSeconds(1));
                recording.start();
                assertThrows(LockTimeoutException.class, () -> map.lock(1, Duration.ofMillis(200)));
                assertEquals(List.of(), events(recording).stream().map(e -> e.getEventType().getName()).toList(),
                        "a 200 ms wait is under a 1 s threshold");
            }
            holder.kill();
        }
    }

    // ------------------------------------------------------------------------------------------- torn entries

    @Test
    void anEntryAKilledWriterLeftTornIsRecordedWhenItIsWrittenWhole() throws Exception {
        int entries = 8;
        try (SharedArray<Wide> map = SharedArray.create(WideValues.spec(maps.dir(), maps.name(), entries)
                .lockStripes(2));
             Recording recording = start()) {
            for (int i = 0; i < entries; i++) map.set(i, Wide.of(i));
            long pid;
            try (ChildJvm writer = TestJvm.start(LockCrossProcessTest.PausedWriter.class, maps.dir().toString(),
                    maps.name(), "SHM", Integer.toString(entries), "3")) {
                writer.awaitLine("paused mid-write", 30);
                pid = writer.pid();
                writer.kill();
                writer.process().waitFor();
            }
            assertThrows(TornEntryException.class, () -> map.get(3));
            assertEquals(List.of(), events(recording, "dev.mapsync.TornEntryRepaired"), "not repaired yet");
            try (LockGuard g = map.lock(3)) {
                assertTrue(g.previousOwnerDied());
                map.set(5, Wide.of(55)); // another entry of the stripe: repairs nothing
                map.set(3, Wide.of(33));
                map.set(3, Wide.of(34)); // whole already: repairs nothing
            }
            RecordedEvent takeover = only(recording, "dev.mapsync.LockTakeover");
            assertEquals("entry 3 (stripe 1)", takeover.getString("lock"));
            assertEquals(pid, takeover.getInt("deadOwnerPid"));
            RecordedEvent repaired = only(recording, "dev.mapsync.TornEntryRepaired");
            assertEquals(maps.name(), repaired.getString("map"));
            assertEquals(3, repaired.getInt("entry"));
            assertEquals(1, repaired.getInt("stripe"));
            assertEquals("rewritten", repaired.getString("repair"));
        }
    }

    /** A record value: its writes go through the sequence words that make torn entries known. */
    record Pair(long a, long b) {}

    @Test
    void aStripeDeclaredRepairedIsRecordedOnce() {
        try (SharedArray<Pair> map = SharedArray.create(MapSpec.array(maps.name(), Pair.class, 8).lockStripes(2)
                .dir(maps.dir()));
             Recording recording = start()) {
            // a write left unfinished whose writing word names no entry: the whole of stripe 1 is torn
            Peer.putLong(map.info().file(), Peer.stripeRecord(1) + Peer.SEQ, 12345L << 32 | 7);
            assertThrows(TornEntryException.class, () -> map.get(5));
            try (LockGuard held = map.lock(5)) {
                assertTrue(held.previousOwnerDied());
                for (int i = 1; i < 8; i += 2) map.set(i, new Pair(i, i)); // the stripe stays torn: no event yet
                assertEquals(List.of(), events(recording, "dev.mapsync.TornEntryRepaired"));
                map.declareRepaired(5);
                map.declareRepaired(5); // nothing was torn any more
            }
            RecordedEvent repaired = only(recording, "dev.mapsync.TornEntryRepaired");
            assertEquals(-1, repaired.getInt("entry"));
            assertEquals(1, repaired.getInt("stripe"));
            assertEquals("declared repaired", repaired.getString("repair"));
            assertEquals(List.of(), events(recording, "dev.mapsync.LockTakeover"), "the lock was free: no takeover");
        }
    }

    // ---------------------------------------------------------------------------------------- missed changes

    @Test
    void changesAnotherProcessWroteThatASubscriberMissedAreRecordedWithTheCountItWasTold() throws Exception {
        try (SharedArray<Long> map = SharedArray.create(MapSpec.array(maps.name(), Codec.i64(), 4).changelogCapacity(16)
                .dir(maps.dir()));
             ChangeCursor cursor = map.changes();
             Recording recording = start()) {
            long first = cursor.position();
            try (ChildJvm writer = TestJvm.start(Adder.class, maps.dir().toString(), maps.name(), "100")) {
                writer.awaitSuccess(60);
            }
            List<ChangeEvent> told = cursor.poll(PATIENCE);
            assertEquals(new MissedChanges(first, 84), told.getFirst());
            assertEquals(17, told.size());

            RecordedEvent missed = only(recording, "dev.mapsync.ChangesMissed");
            assertEquals(maps.name(), missed.getString("map"));
            assertEquals(84, missed.getLong("count"));
            assertEquals(first, missed.getLong("firstSeq"));
        }
    }

    @Test
    void keyChangesAHashMapSubscriberMissedAreRecordedToo() {
        try (SharedHashMap<Long, Long> map = SharedHashMap.create(HashSpec.of(maps.name(), Codec.i64(), Codec.i64(), 64)
                .changelogCapacity(16).dir(maps.dir()));
             KeyChangeCursor<Long> cursor = map.changes();
             Recording recording = start()) {
            for (long i = 0; i < 40; i++) map.put(i, i);
            List<KeyChangeEvent<Long>> told = cursor.poll(PATIENCE);
            MissedKeyChanges<Long> m = (MissedKeyChanges<Long>) told.getFirst();
            RecordedEvent missed = only(recording, "dev.mapsync.ChangesMissed");
            assertEquals(m.count(), missed.getLong("count"));
            assertEquals(24, missed.getLong("count"));
            assertEquals(m.firstSeq(), missed.getLong("firstSeq"));
        }
    }

    // ------------------------------------------------------------------------------------------------- rings

    @Test
    void anOfferToAFullRingAndAPutThatTimesOutAreRecordedWithTheRoomThatWasLeft() {
        try (SharedRing ring = SharedRing.create(MapSpec.ring(maps.name(), 4096).dir(maps.dir()));
             Recording recording = start()) {
            byte[] record = new byte[100]; // 8 + 100 bytes, rounded up to 112 in the ring: 36 of them fit in 4096
            int offered = 0;
            while (ring.offer(record)) offered++;
            assertEquals(36, offered);
            long start = System.nanoTime();
            assertThrows(WaitTimeoutException.class, () -> ring.put(new byte[60], Duration.ofMillis(200)));
            long called = System.nanoTime() - start;

            List<RecordedEvent> full = events(recording, "dev.mapsync.RingFull");
            assertEquals(2, full.size(), full.toString());
            RecordedEvent offer = full.get(0), put = full.get(1);
            assertEquals(maps.name(), offer.getString("map"));
            assertEquals(100, offer.getInt("recordLength"));
            assertEquals(112, offer.getLong("recordSize"));
            assertEquals(36 * 112, offer.getLong("bytesUsed"));
            assertEquals(4096, offer.getLong("capacity"));
            assertEquals(Duration.ZERO, offer.getDuration(), "an offer does not wait");
            assertEquals(60, put.getInt("recordLength"));
            assertEquals(72, put.getLong("recordSize"));
            assertEquals(36 * 112, put.getLong("bytesUsed"));
            long nanos = put.getDuration().toNanos();
            assertTrue(nanos >= Duration.ofMillis(190).toNanos() && nanos <= called, nanos + " ns of " + called);
        }
    }

    @Test
    void recordsAKilledProducerClaimedAreRecordedAsLostWithItsPid() throws Exception {
        int capacity = 1 << 14;
        try (SharedQueue<Item> queue = SharedQueue.create(RingRecords.queue(maps.dir(), maps.name(), capacity));
             Recording recording = start()) {
            long pid;
            try (ChildJvm victim = TestJvm.start(RingProducerChild.class, maps.dir().toString(), maps.name(),
                    Integer.toString(capacity), "1", "10", "hang-in-reserve")) {
                victim.awaitLine("paused in reserve", 60);
                pid = victim.pid();
                victim.kill();
                victim.process().waitFor();
            }
            // this producer takes the reserve lock over from the dead one
            queue.put(new Item(2, 0, 0), PATIENCE);
            for (long seq = 0; seq < 10; seq++) assertEquals(new Item(1, 0, seq), queue.poll(PATIENCE));
            assertEquals(new Item(2, 0, 0), queue.poll(PATIENCE), "the record the victim claimed is skipped");
            assertEquals(1, queue.lost());

            RecordedEvent lost = only(recording, "dev.mapsync.RecordsLost");
            assertEquals(maps.name(), lost.getString("map"));
            assertEquals(1, lost.getLong("count"));
            assertEquals(24, lost.getLong("bytes"));
            assertEquals(pid, lost.getInt("producerPid"));
            assertEquals(1, lost.getLong("totalLost"));
            RecordedEvent takeover = only(recording, "dev.mapsync.LockTakeover");
            assertEquals(maps.name(), takeover.getString("map"));
            assertEquals("reserve", takeover.getString("lock"));
            assertEquals(pid, takeover.getInt("deadOwnerPid"));
        }
    }

    // --------------------------------------------------------------------------------------------- the tools

    @Test
    void jfrPrintShowsTheEvents() throws Exception {
        Path file = maps.dir().resolve("rec.jfr");
        try (SharedArray<Long> map = SharedArray.create(MapSpec.array(maps.name(), Codec.i64(), 4).changelogCapacity(16)
                .dir(maps.dir()));
             ChangeCursor cursor = map.changes();
             SharedRing ring = SharedRing.create(MapSpec.ring(maps.name() + "-ring", 4096).dir(maps.dir()));
             SharedArray<Pair> pairs = SharedArray.create(MapSpec.array(maps.name() + "-pairs", Pair.class, 4)
                     .dir(maps.dir()));
             Recording recording = start()) {
            for (int i = 0; i < 20; i++) map.set(i % 4, (long) i);
            cursor.poll(PATIENCE);
            while (ring.offer(new byte[1000])) { }
            // a write of entry 2 left unfinished: the next lock owner marks it torn, the next write repairs it
            Peer.putLong(pairs.info().file(), Peer.stripeRecord(2) + Peer.SEQ, 3L << 32 | 7);
            pairs.set(2, new Pair(2, 2));
            // a wait for a lock that another thread of this process holds until the waiter sleeps (recorded however
            // short, with the threshold at 0)
            recording.enable("dev.mapsync.LockWait").withThreshold(Duration.ZERO);
            CountDownLatch locked = new CountDownLatch(1);
            Thread holder = Thread.ofPlatform().start(() -> {
                try (LockGuard g = map.lock(1)) {
                    locked.countDown();
                    awaitSleeper(map, 1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            locked.await();
            map.lock(1, PATIENCE).close();
            holder.join();
            recording.stop();
            recording.dump(file);
        }
        Path jfr = Path.of(System.getProperty("java.home"), "bin", "jfr");
        Process p = new ProcessBuilder(jfr.toString(), "print", "--stack-depth", "10", "--events", "dev.mapsync.*",
                file.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        System.out.println(out);
        for (String event : List.of("ChangesMissed", "RingFull", "TornEntryRepaired", "LockWait")) {
            assertTrue(out.contains("dev.mapsync." + event + " {"), event + ": " + out);
        }
        assertTrue(out.contains("map = \"" + maps.name() + "\""), out);
        assertTrue(out.contains("count = 4"), out);
        assertTrue(out.contains("recordLength = 1000 bytes"), out);
        assertTrue(out.contains("capacity = 4.0 kB"), out);
        assertTrue(out.contains("repair = \"rewritten\""), out);
        assertTrue(out.contains("lock = \"entry 1\""), out);
        assertTrue(out.contains("ownerPid = " + ProcessHandle.current().pid()), out);
        assertTrue(out.contains("outcome = \"acquired\""), out);
        assertTrue(out.contains("FlightRecorderTest.jfrPrintShowsTheEvents"), "stack traces name the caller: " + out);
    }

    // ----------------------------------------------------------------------------------------- the fast paths

    @Test
    void aProcessThatNeverWaitsLoadsNoEventClass() {
        try (SharedArray<Long> map = SharedArray.create(MapSpec.array(maps.name(), Codec.i64(), 4).dir(maps.dir()))) {
            map.set(0, 1L);
        }
        try (SharedRing ring = SharedRing.create(MapSpec.ring(maps.name() + "-ring", 4096).dir(maps.dir()))) {
            ring.offer(new byte[8]);
        }
        try (ChildJvm child = TestJvm.of(FastPaths.class).jvmOptions("-Xlog:class+load=info:stdout")
                .args(maps.dir().toString(), maps.name()).start()) {
            child.awaitSuccess(60);
            String out = child.output();
            assertTrue(out.contains("fast paths done"), out);
            assertTrue(out.contains("dev.mapsync.internal.lock.EntryLocks"), "the log names the classes loaded");
            List<String> loaded = out.lines().filter(l -> l.contains("dev.mapsync.internal.events.")
                    || l.contains(" jdk.jfr.")).toList();
            assertEquals(List.of(), loaded, "no event class, nor the Flight Recorder, on the paths that do not wait");
        }
    }

    // ------------------------------------------------------------------------------------------------ children

    /**
     * Takes the lock of one entry, says "locked", and holds the lock until the release file exists. Arguments: dir
     * name entries index release-file.
     */
    public static final class HolderUntilFile {
        public static void main(String[] args) throws Exception {
            Path release = Path.of(args[4]);
            try (SharedArray<Long> map = SharedArray.open(MapSpec.array(args[1], Codec.i64(), Integer.parseInt(args[2]))
                    .lockStripes(4).dir(Path.of(args[0])))) {
                LockGuard held = map.lock(Integer.parseInt(args[3]));
                System.out.println("locked");
                System.out.flush();
                while (!Files.exists(release)) Thread.sleep(1);
                held.close();
            }
        }
    }

    /** Adds 1 to entry i % 4 for i in 0..n-1. Arguments: dir name n. */
    public static final class Adder {
        public static void main(String[] args) {
            try (SharedArray<Long> map = SharedArray.open(MapSpec.array(args[1], Codec.i64(), 4).changelogCapacity(16)
                    .dir(Path.of(args[0])))) {
                for (int i = 0; i < Integer.parseInt(args[2]); i++) map.longs().getAndAdd(i % 4, 1);
            }
        }
    }

    /**
     * What a command-line run does, and more: opens an array and a ring, reads, writes, locks, subscribes and offers,
     * none of it ever waiting. Arguments: dir name.
     */
    public static final class FastPaths {
        public static void main(String[] args) {
            Path dir = Path.of(args[0]);
            try (SharedArray<Long> map = SharedArray.open(MapSpec.array(args[1], Codec.i64(), 4).dir(dir));
                 SharedArray<Pair> pairs = SharedArray.create(MapSpec.array(args[1] + "-pairs", Pair.class, 4)
                         .dir(dir));
                 SharedRing ring = SharedRing.open(MapSpec.ring(args[1] + "-ring", 4096).dir(dir));
                 ChangeCursor cursor = map.changes()) {
                map.set(1, map.get(0) + 1);
                map.longs().getAndAdd(2, 5);
                try (LockGuard g = map.lock(3)) {
                    map.set(3, 3L);
                }
                try (LockGuard g = map.lockAll(0, 1, 2)) {
                    map.set(0, map.get(0) + 1);
                }
                pairs.set(2, new Pair(1, 2));
                pairs.get(2);
                cursor.poll(Duration.ZERO);
                ring.offer(new byte[16]);
                try (RingConsumer consumer = ring.consumer()) {
                    consumer.poll();
                    consumer.poll();
                    consumer.poll();
                }
            } finally {
                SharedMaps.delete(MapSpec.existing(args[1] + "-pairs").dir(dir));
            }
            System.out.println("fast paths done");
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** A recording of every dev.mapsync event with its default settings, started. */
    private static Recording start() {
        Recording r = new Recording();
        for (String name : List.of("LockWait", "LockTakeover", "TornEntryRepaired", "ChangesMissed", "RingFull",
                "RecordsLost")) {
            r.enable("dev.mapsync." + name);
        }
        r.start();
        return r;
    }

    /** Waits until the lock word of stripe {@code stripe} says someone sleeps on it. */
    private static void awaitSleeper(SharedArray<?> map, int stripe) throws InterruptedException {
        Path file = map.info().file();
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while ((Peer.getInt(file, Peer.stripeRecord(stripe) + Peer.WORD) & 0x8000_0000) == 0) {
            assertTrue(System.nanoTime() < deadline, "no waiter sleeps on stripe " + stripe);
            Thread.sleep(1);
        }
    }

    /** The events recorded so far (the recording goes on). */
    private static List<RecordedEvent> events(Recording recording) {
        try {
            Path file = Files.createTempFile("mapsync-jfr", ".jfr");
            try {
                recording.dump(file);
                return RecordingFile.readAllEvents(file).stream()
                        .filter(e -> e.getEventType().getName().startsWith("dev.mapsync."))
                        .toList();
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<RecordedEvent> events(Recording recording, String name) {
        return events(recording).stream().filter(e -> e.getEventType().getName().equals(name)).toList();
    }

    /** The one event named {@code name}; fails if there are none or several. */
    private static RecordedEvent only(Recording recording, String name) {
        List<RecordedEvent> found = events(recording, name);
        assertEquals(1, found.size(), name + ": " + found);
        return found.getFirst();
    }
}
