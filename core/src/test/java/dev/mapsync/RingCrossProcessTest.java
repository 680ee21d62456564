package dev.mapsync;

import dev.mapsync.internal.sys.Proc;
import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.RingConsumerChild;
import dev.mapsync.testkit.RingProducerChild;
import dev.mapsync.testkit.RingRecords;
import dev.mapsync.testkit.TestDirs;
import dev.mapsync.testkit.TestJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shm ring between separate JVM processes: many producers and one consumer, every record exactly once and in
 * each producer's order; producers killed mid-record or inside the reserve lock cost only their own record; one
 * consumer at a time.
 */
class RingCrossProcessTest {
    private Path dir;
    private String name;

    @BeforeEach
    void setUp() {
        dir = TestDirs.create();
        name = "x" + Long.toHexString(System.nanoTime());
    }

    @AfterEach
    void tearDown() {
        TestDirs.delete(dir);
    }

    private ChildJvm producer(int capacity, int source, long count, String mode, String... more) {
        List<String> args = new ArrayList<>(List.of(dir.toString(), name, Integer.toString(capacity),
                Integer.toString(source), Long.toString(count), mode));
        args.addAll(List.of(more));
        return TestJvm.start(RingProducerChild.class, args.toArray(String[]::new));
    }

    private ChildJvm consumer(long expected) {
        return TestJvm.start(RingConsumerChild.class, dir.toString(), name, "SHM", Long.toString(expected), "600");
    }

    private static String lastLine(ChildJvm child) {
        return child.output().strip().lines().reduce((a, b) -> b).orElse("");
    }

    @Test
    void threeProducersOfAMillionRecordsEachReachOneConsumerExactlyOnceInOrder() throws Exception {
        int capacity = 1 << 16;
        long each = 1_000_000;
        try (SharedQueue<RingRecords.Item> ignored = SharedQueue.create(RingRecords.queue(dir, name, capacity));
             ChildJvm consumer = consumer(3 * each)) {
            consumer.awaitLine("consuming", 60);
            long start = System.nanoTime();
            List<ChildJvm> producers = new ArrayList<>();
            for (int p = 1; p <= 3; p++) producers.add(producer(capacity, p, each, "all"));
            for (ChildJvm p : producers) {
                p.awaitSuccess(600);
                assertEquals("produced=" + each, lastLine(p));
                p.close();
            }
            consumer.awaitSuccess(600);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("3 producer JVMs x %,d records through a %d KiB ring to a consumer JVM: %.1f s (JVM start"
                    + " included), %s%n", each, capacity / 1024, seconds, lastLine(consumer));
            assertEquals("records=3000000 lost=0 discarded=0 violations=0 counts=1:1000000,2:1000000,3:1000000",
                    lastLine(consumer));
        }
    }

    @Test
    void producersKilledMidRecordFiftyTimesCostOnlyTheirRecords() throws Exception {
        // while the consumer waits at a round's first open claim, the others and the steady producer need room
        int capacity = 1 << 23;
        int rounds = 10, perRound = 5, complete = 20;
        Path stop = dir.resolve("stop");
        List<Long> stallMillis = new ArrayList<>();
        try (SharedRing ring = SharedRing.create(RingRecords.queue(dir, name, capacity));
             ChildJvm consumer = consumer(-1);
             ChildJvm steady = producer(capacity, 0, 20, "until-stop", stop.toString())) {
            consumer.awaitLine("consuming", 60);
            int source = 1;
            for (int round = 1; round <= rounds; round++) {
                List<ChildJvm> victims = new ArrayList<>();
                try {
                    for (int v = 0; v < perRound; v++) victims.add(producer(capacity, source++, complete, "hang-mid-record"));
                    for (ChildJvm v : victims) v.awaitLine("claimed", 120);
                    for (ChildJvm v : victims) v.kill();
                    long killed = System.nanoTime();
                    consumer.awaitLine("lost=" + round * perRound, 60);
                    stallMillis.add((System.nanoTime() - killed) / 1_000_000);
                } finally {
                    for (ChildJvm v : victims) v.close(); // a victim sleeps for ever: never leave one behind
                }
            }
            Files.createFile(stop);
            steady.awaitSuccess(120);
            long steadyRecords = Long.parseLong(lastLine(steady).substring("produced=".length()));
            ring.seal(); // the consumer reads what is left, then finds the ring drained and ends
            consumer.awaitSuccess(120);
            StringJoiner counts = new StringJoiner(",");
            counts.add("0:" + steadyRecords);
            for (int s = 1; s <= rounds * perRound; s++) counts.add(s + ":" + complete);
            assertEquals("records=" + (steadyRecords + (long) rounds * perRound * complete) + " lost=50 discarded=0"
                    + " violations=0 counts=" + counts, lastLine(consumer));
            RingStatus status = ring.status();
            assertEquals(50, status.lostRecords());
            assertEquals(50 * 24, status.lostBytes());
            assertEquals(0, status.usedBytes());
        }
        stallMillis.sort(null);
        System.out.println("consumer blocked behind 5 killed producers' records, per round until it had skipped all 5"
                + " (test-side polling included): median " + stallMillis.get(rounds / 2) + " ms, max "
                + stallMillis.getLast() + " ms, over " + rounds + " rounds " + stallMillis);
    }

    @Test
    void aProducerKilledInsideTheReserveLockDoesNotStopTheOthers() throws Exception {
        killedInsideTheReserveLock("hang-in-reserve", 1);
    }

    @Test
    void aProducerKilledBeforeItsClaimJoinedTheRingLosesNothing() throws Exception {
        // its header is in free space, past the producer position: the consumer must neither read it nor skip past it
        killedInsideTheReserveLock("hang-before-position", 0);
    }

    private void killedInsideTheReserveLock(String mode, int lost) throws Exception {
        int capacity = 1 << 14;
        try (SharedRing ring = SharedRing.create(RingRecords.queue(dir, name, capacity));
             ChildJvm consumer = consumer(-1);
             ChildJvm victim = producer(capacity, 1, 10, mode)) {
            consumer.awaitLine("consuming", 60);
            victim.awaitLine("paused in reserve", 60);
            try (ChildJvm other = producer(capacity, 2, 20_000, "all")) {
                Thread.sleep(300);
                assertFalse(other.output().contains("produced="), "the other producer waits for the reserve lock");
                victim.kill();
                other.awaitSuccess(120);
                assertEquals("produced=20000", lastLine(other));
            }
            ring.seal();
            consumer.awaitSuccess(120);
            assertEquals("records=20010 lost=" + lost + " discarded=0 violations=0 counts=1:10,2:20000", lastLine(consumer));
            assertEquals(lost, ring.status().lostRecords());
        }
    }

    @Test
    void anShmRingHasOneConsumerAcrossProcesses() throws Exception {
        try (SharedRing ring = SharedRing.create(MapSpec.ring(name, 4096).dir(dir))) {
            ring.offer(new byte[RingRecords.SIZE]);
            long childPid;
            try (ChildJvm other = consumer(-1)) {
                other.awaitLine("consuming", 60);
                childPid = other.pid();
                ConsumerBusyException e = assertThrows(ConsumerBusyException.class, ring::consumer);
                assertEquals("ring '" + name + "' already has a consumer: pid " + childPid + "; a ring has one consumer"
                        + " at a time, until its handle is closed or its process ends", e.getMessage());
                assertEquals(childPid, e.consumerPid());
                // "consuming" is printed before the first poll: kill it only once its position shows the record read
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (ring.status().consumerPosition() == 0) {
                    assertTrue(System.nanoTime() - deadline < 0, "the child consumer read nothing in 60 s");
                    Thread.onSpinWait();
                }
                other.kill();
            }
            try (RingConsumer mine = ring.consumer()) {
                assertEquals(Proc.PID, ring.status().consumerPid(), "the killed consumer's role is free");
                assertNull(mine.poll(), "the killed consumer had read the one record");
                assertTrue(ring.status().consumerPosition() > 0);
            }
        }
    }
}
