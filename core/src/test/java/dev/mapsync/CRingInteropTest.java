package dev.mapsync;

import dev.mapsync.internal.store.Header;
import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.CPrograms;
import dev.mapsync.testkit.Peer;
import dev.mapsync.internal.ring.RingLayout;
import dev.mapsync.testkit.RingConsumerChild;
import dev.mapsync.testkit.RingProducerChild;
import dev.mapsync.testkit.RingRecords;
import dev.mapsync.testkit.RingRecords.Item;
import dev.mapsync.testkit.TestJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rings between libmapsync and the Java library (FORMAT.md §7): C producers fill a small queue that a Java consumer
 * drains and the reverse, every record arriving once and in its producer's order; a C producer killed with a record
 * claimed loses that record only; and a C consumer drains a ring Java sealed, then stops.
 */
class CRingInteropTest {
    private static final int RING_BYTES = 4096; // 170 records: producers wait for room and wrap many times

    @TempDir
    Path dir;

    private final String name = KernelAssumptions.uniqueName("cring");

    private ProcessBuilder c(Path program, String... args) {
        List<String> command = new ArrayList<>(List.of(program.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("MAPSYNC_DIR", dir.toString());
        return pb;
    }

    @Test
    void cProducersFillAQueueThatAJavaConsumerDrains() throws Exception {
        Path produce = CPrograms.testProgram("ring_produce", Backend.SHM);
        int perProducer = 20_000;
        try (SharedQueue<Item> queue = SharedQueue.create(RingRecords.queue(dir, name, RING_BYTES));
             ChildJvm consumer = TestJvm.start(RingConsumerChild.class, dir.toString(), name, "SHM",
                     Integer.toString(2 * perProducer), "120")) {
            consumer.awaitLine("consuming", 30);
            Process p1 = c(produce, name, "1", Integer.toString(perProducer)).redirectOutput(dir.resolve("p1").toFile()).start();
            Process p2 = c(produce, name, "2", Integer.toString(perProducer)).redirectOutput(dir.resolve("p2").toFile()).start();
            try {
                assertTrue(p1.waitFor(120, TimeUnit.SECONDS) && p2.waitFor(120, TimeUnit.SECONDS), "the C producers finish");
                consumer.awaitSuccess(120);
            } finally {
                p1.destroyForcibly();
                p2.destroyForcibly();
            }
            assertEquals("produced=" + perProducer + "\n", Files.readString(dir.resolve("p1")));
            assertEquals("produced=" + perProducer + "\n", Files.readString(dir.resolve("p2")));
            assertEquals("consuming\nrecords=40000 lost=0 discarded=0 violations=0 counts=1:20000,2:20000",
                    consumer.output().strip());
            assertNull(queue.poll());
        }
    }

    @Test
    void javaProducersFillAQueueThatACConsumerDrainsUntilItIsSealed() throws Exception {
        Path consume = CPrograms.testProgram("ring_consume", Backend.SHM);
        int perProducer = 20_000;
        try (SharedQueue<Item> queue = SharedQueue.create(RingRecords.queue(dir, name, RING_BYTES))) {
            Process consumer = c(consume, name, "-1", "120").start();
            consumer.getOutputStream().close();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(consumer.getInputStream(), StandardCharsets.UTF_8));
                assertEquals("consuming", out.readLine());
                try (ChildJvm p1 = TestJvm.start(RingProducerChild.class, dir.toString(), name, Integer.toString(RING_BYTES), "3",
                        Integer.toString(perProducer), "all");
                     ChildJvm p2 = TestJvm.start(RingProducerChild.class, dir.toString(), name, Integer.toString(RING_BYTES), "4",
                             Integer.toString(perProducer), "all")) {
                    p1.awaitSuccess(120);
                    p2.awaitSuccess(120);
                    assertEquals("produced=" + perProducer, p1.output().strip());
                    assertEquals("produced=" + perProducer, p2.output().strip());
                }
                queue.seal();
                assertEquals("records=40000 lost=0 violations=0 counts=3:20000,4:20000", out.readLine());
                assertTrue(consumer.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, consumer.exitValue());
            } finally {
                consumer.destroyForcibly();
            }
        }
    }

    @Test
    void aCProducerKilledWithARecordClaimedLosesThatRecordOnly() throws Exception {
        Path produce = CPrograms.testProgram("ring_produce", Backend.SHM);
        try (SharedRing ring = SharedRing.create(RingRecords.queue(dir, name, RING_BYTES));
             RingConsumer consumer = ring.consumer()) {
            Process p = c(produce, name, "5", "10", "--hang-claimed").start();
            p.getOutputStream().close();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                assertEquals("claimed", out.readLine());
            } finally {
                p.destroyForcibly();
                assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            }
            for (long seq = 0; seq < 10; seq++) {
                RingRecord r = consumer.next(Duration.ofSeconds(10));
                assertEquals(5, RingRecords.source(r.payload()));
                assertEquals(seq, RingRecords.seq(r.payload()));
                r.release();
            }
            // behind the dead producer's claim: a Java record, delivered once the claim is found abandoned
            ring.offer(new byte[RingRecords.SIZE]);
            RingRecord after = consumer.next(Duration.ofSeconds(10));
            assertEquals(0L, RingRecords.seq(after.payload()));
            after.release();
            assertEquals(1, consumer.lost());
            assertNull(consumer.next(Duration.ZERO));
        }
    }

    /** A producer position moved back onto a record not yet read: a C claim refuses it rather than overwrite it. */
    @Test
    void aCProducerRefusesAProducerPositionMovedBackOntoARecord() throws Exception {
        Path produce = CPrograms.testProgram("ring_produce", Backend.SHM);
        try (SharedQueue<Item> queue = SharedQueue.create(RingRecords.queue(dir, name, RING_BYTES))) {
            for (int i = 0; i < 3; i++) assertTrue(queue.offer(new Item(9, 0, i)));
            assertEquals(new Item(9, 0, 0), queue.poll());
            Path file = queue.info().file();
            long producer = Peer.CONTROL + RingLayout.PRODUCER_POSITION;
            assertEquals(72, Peer.getLong(file, producer)); // three records of 16 bytes and their 8-byte headers
            Peer.putLong(file, producer, 48); // onto the third, not read yet
            Process p = c(produce, name, "1", "1").start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals("ring_produce: ring " + name + " is corrupt: its producer position 48 is not on free space: a"
                    + " record of 16 bytes is there\n", new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            assertEquals(3, p.exitValue());
        }
    }

    @Test
    void aCClaimOnAReserveLockAPeerWroteALiveTokenIntoEndsAtItsTimeout() throws Exception {
        Path produce = CPrograms.testProgram("ring_produce", Backend.SHM);
        try (SharedQueue<Item> queue = SharedQueue.create(RingRecords.queue(dir, name, RING_BYTES))) {
            Path file = queue.info().file();
            int token;
            try (RingClaim claim = queue.ring().tryClaim(16)) { // its header's second word is this handle's token
                token = Peer.getInt(file, Header.SIZE + RingLayout.CONTROL_LENGTH + claim.position() + 4);
                claim.discard();
            }
            Peer.putInt(file, Peer.CONTROL + RingLayout.RESERVE_LOCK, token);
            Process p = c(produce, name, "1", "1", "--timeout=300").start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(out.matches("ring_produce: timed out after \\d+\\.\\d s waiting for the reserve lock of ring "
                    + name + ": held by pid " + ProcessHandle.current().pid() + " \\(alive\\)\n"), out);
            assertEquals(124, p.exitValue());
            assertEquals(token, Peer.getInt(file, Peer.CONTROL + RingLayout.RESERVE_LOCK));
        }
    }
}
