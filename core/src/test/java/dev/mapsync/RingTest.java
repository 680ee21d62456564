package dev.mapsync;

import dev.mapsync.internal.store.Header;
import dev.mapsync.internal.ring.RingLayout;
import dev.mapsync.internal.sys.Proc;
import dev.mapsync.testkit.TestDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shm ring in one process: its record format, full and oversized records, claims, sealing, closing, one consumer. */
class RingTest {
    private static final long DATA_OFFSET = Header.SIZE + RingLayout.CONTROL_LENGTH;

    private Path dir;
    private String name;

    @BeforeEach
    void setUp() {
        dir = TestDirs.create();
        name = "r" + Long.toHexString(System.nanoTime());
    }

    @AfterEach
    void tearDown() {
        TestDirs.delete(dir);
    }

    private RingSpec spec(int capacity) {
        return MapSpec.ring(name, capacity).dir(dir);
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** The ring file's bytes at {@code offset} of its data region, little-endian. */
    private ByteBuffer fileData(long offset, int length) throws IOException {
        try (FileChannel ch = FileChannel.open(dir.resolve(name), StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(b, DATA_OFFSET + offset);
            return b.flip();
        }
    }

    @Test
    void recordsComeOutInOrderOnceEach() {
        try (SharedRing ring = SharedRing.create(spec(4096));
             RingConsumer consumer = ring.consumer()) {
            assertTrue(ring.offer(text("alpha")));
            assertTrue(ring.offer(new byte[0]));
            assertTrue(ring.offer(MemorySegment.ofArray(text("gamma!"))));
            assertEquals("alpha", text(consumer.poll()));
            assertEquals("", text(consumer.poll()));
            assertEquals("gamma!", text(consumer.poll(Duration.ofSeconds(1))));
            assertNull(consumer.poll());
            assertNull(consumer.poll(Duration.ofMillis(30)));
            RingStatus s = ring.status();
            // 8 + 5 -> 16, 8 + 0 -> 8, 8 + 6 -> 16
            assertEquals(40, s.producerPosition());
            assertEquals(40, s.consumerPosition());
            assertEquals(0, s.usedBytes());
            assertEquals(Proc.PID, s.consumerPid());
            assertEquals(Backend.SHM, s.backend());
            assertEquals(4088, ring.maxRecordLength());
        }
    }

    @Test
    void recordsHaveTheBpfRingBufferFormat() throws IOException {
        try (SharedRing ring = SharedRing.create(spec(4096))) {
            RingClaim claim = ring.tryClaim(5);
            ByteBuffer busy = fileData(0, 8);
            assertEquals(5 | RingLayout.BUSY, busy.getInt(0), "claimed: the length with the busy bit");
            assertTrue(busy.getInt(4) != 0, "the second word names the claimer");
            claim.payload().copyFrom(MemorySegment.ofArray(text("hello")));
            claim.commit();
            ByteBuffer done = fileData(0, 16);
            assertEquals(5, done.getInt(0), "committed: the length alone");
            assertEquals("hello", StandardCharsets.UTF_8.decode(done.slice(8, 5)).toString());
            try (RingClaim dropped = ring.tryClaim(12)) {
                assertEquals(16, dropped.position(), "records are 8-byte aligned: 8 + 5 rounds up to 16");
            }
            assertEquals(12 | RingLayout.DISCARD, fileData(16, 4).getInt(0), "closed without commit: discarded");
            try (RingConsumer consumer = ring.consumer()) {
                assertEquals("hello", text(consumer.poll()));
                assertNull(consumer.poll());
                assertEquals(1, consumer.discarded());
            }
        }
    }

    @Test
    void aRecordThatWrapsPastTheEndReadsAsOnePiece() {
        try (SharedRing ring = SharedRing.create(spec(4096));
             RingConsumer consumer = ring.consumer()) {
            byte[] filler = new byte[4000];
            assertTrue(ring.offer(filler));
            assertEquals(4000, consumer.poll().length);
            byte[] wrapping = new byte[200];
            for (int i = 0; i < wrapping.length; i++) wrapping[i] = (byte) i;
            assertTrue(ring.offer(wrapping)); // at 4008: header and 80 bytes before the end, 120 after
            RingRecord r = consumer.next();
            assertEquals(4008, r.position());
            assertArrayEquals(wrapping, r.toArray());
            assertEquals((byte) 199, r.payload().get(ValueLayout.JAVA_BYTE, 199));
            r.release();
        }
    }

    @Test
    void aFullRingRefusesOffersAndPutTimesOut() {
        try (SharedRing ring = SharedRing.create(spec(4096))) {
            assertTrue(ring.offer(new byte[4088]), "one record may fill the whole ring");
            assertFalse(ring.offer(new byte[0]));
            assertNull(ring.tryClaim(1));
            WaitTimeoutException e = assertThrows(WaitTimeoutException.class, () -> ring.put(text("x"), Duration.ofMillis(50)));
            assertEquals("timed out after 50 ms waiting for room for a record of 1 bytes in ring '" + name + "': 4096 of"
                    + " 4096 bytes are not consumed yet", e.getMessage());
            WaitTimeoutException c = assertThrows(WaitTimeoutException.class, () -> ring.claim(8, Duration.ofMillis(20)));
            assertTrue(c.getMessage().startsWith("timed out after 20 ms waiting for room for a record of 8 bytes"), c.getMessage());
            assertEquals(4096, ring.status().usedBytes());
        }
    }

    @Test
    void aRecordLargerThanTheRingIsRefusedAndNothingIsWritten() {
        try (SharedRing ring = SharedRing.create(spec(4096))) {
            RecordTooLargeException e = assertThrows(RecordTooLargeException.class, () -> ring.offer(new byte[4089]));
            assertEquals("a record of 4089 bytes does not fit ring '" + name + "' of 4096 bytes: a record takes its"
                    + " length plus an 8-byte header, so it holds at most 4088 bytes", e.getMessage());
            assertThrows(RecordTooLargeException.class, () -> ring.put(new byte[5000], Duration.ofSeconds(1)));
            assertThrows(RecordTooLargeException.class, () -> ring.tryClaim(4089));
            assertEquals(0, ring.status().producerPosition());
        }
    }

    @Test
    void putWaitsUntilTheConsumerMakesRoom() throws Exception {
        try (SharedRing ring = SharedRing.create(spec(4096));
             RingConsumer consumer = ring.consumer()) {
            assertTrue(ring.offer(new byte[4080])); // 4088 of 4096 bytes: "late" needs 16
            CompletableFuture<Void> put = CompletableFuture.runAsync(() -> ring.put(text("late"), Duration.ofSeconds(30)));
            Thread.sleep(100);
            assertFalse(put.isDone(), "no room yet");
            assertEquals(4080, consumer.poll().length);
            put.get();
            assertEquals("late", text(consumer.poll(Duration.ofSeconds(5))));
        }
    }

    @Test
    void aWaitingConsumerGetsTheRecordAnotherThreadCommits() throws Exception {
        try (SharedRing ring = SharedRing.create(spec(8192));
             RingConsumer consumer = ring.consumer()) {
            CompletableFuture<List<String>> got = CompletableFuture.supplyAsync(() -> {
                List<String> out = new ArrayList<>();
                for (int i = 0; i < 3; i++) out.add(text(consumer.poll(Duration.ofSeconds(30))));
                return out;
            });
            Thread.sleep(100);
            ring.offer(text("one"));
            Thread.sleep(50);
            try (RingClaim c = ring.claim(3, Duration.ofSeconds(1))) {
                c.payload().copyFrom(MemorySegment.ofArray(text("two")));
                Thread.sleep(50); // the consumer waits at the busy record
                c.commit();
            }
            ring.offer(text("three"));
            assertEquals(List.of("one", "two", "three"), got.get());
        }
    }

    @Test
    void aSealedRingTakesNoMoreRecordsAndEndsTheConsumersWait() throws Exception {
        try (SharedRing ring = SharedRing.create(spec(4096));
             RingConsumer consumer = ring.consumer()) {
            ring.offer(text("last"));
            CompletableFuture<byte[]> waiting = CompletableFuture.supplyAsync(() -> {
                consumer.poll(Duration.ofSeconds(30));
                return consumer.poll(Duration.ofSeconds(30)); // sealing ends this wait with null
            });
            Thread.sleep(100);
            ring.seal();
            assertNull(waiting.get());
            assertTrue(ring.isSealed());
            assertTrue(consumer.isDrained());
            RingSealedException e = assertThrows(RingSealedException.class, () -> ring.offer(text("more")));
            assertEquals("ring '" + name + "' is sealed: it takes no more records", e.getMessage());
            assertThrows(RingSealedException.class, () -> ring.tryClaim(1));
            assertTrue(ring.status().sealed());
        }
    }

    @Test
    void aClosedRingThrowsMapClosedException() {
        SharedRing ring = SharedRing.create(spec(4096));
        RingConsumer consumer = ring.consumer();
        ring.offer(text("x"));
        ring.close();
        ring.close();
        String closed = "ring '" + name + "' is closed";
        assertEquals(closed, assertThrows(MapClosedException.class, () -> ring.offer(text("y"))).getMessage());
        assertEquals(closed, assertThrows(MapClosedException.class, consumer::poll).getMessage());
        assertEquals(closed, assertThrows(MapClosedException.class, ring::status).getMessage());
        assertEquals(closed, assertThrows(MapClosedException.class, ring::consumer).getMessage());
        assertTrue(ring.isClosed());
        assertTrue(consumer.isClosed());
    }

    @Test
    void aRingHasOneConsumerAtATime() {
        try (SharedRing first = SharedRing.create(spec(4096));
             SharedRing second = SharedRing.open(MapSpec.ring(name, 4096).dir(dir))) {
            first.offer(text("a"));
            first.offer(text("b"));
            RingConsumer c1 = first.consumer();
            assertEquals("a", text(c1.poll()));
            ConsumerBusyException e = assertThrows(ConsumerBusyException.class, second::consumer);
            assertEquals("ring '" + name + "' already has a consumer: pid " + Proc.PID + " (this process, through"
                    + " another handle); a ring has one consumer at a time, until its handle is closed or its process"
                    + " ends", e.getMessage());
            assertEquals(Proc.PID, e.consumerPid());
            ConsumerBusyException again = assertThrows(ConsumerBusyException.class, first::consumer);
            assertTrue(again.getMessage().startsWith("this handle of ring '" + name + "' already has an open consumer"));
            assertEquals(Proc.PID, second.status().consumerPid());
            c1.close();
            assertEquals(0, second.status().consumerPid());
            try (RingConsumer c2 = second.consumer()) {
                assertEquals("b", text(c2.poll()), "the next consumer starts where the last one stopped");
            }
        }
    }

    @Test
    void aZeroCopyRecordMustBeReleasedBeforeTheNext() {
        try (SharedRing ring = SharedRing.create(spec(4096));
             RingConsumer consumer = ring.consumer()) {
            ring.offer(text("a"));
            ring.offer(text("b"));
            RingRecord r = consumer.next();
            IllegalStateException e = assertThrows(IllegalStateException.class, consumer::next);
            assertEquals("release the record at position 0 before reading the next one: records are consumed in order",
                    e.getMessage());
            assertEquals(0, ring.status().consumerPosition(), "a held record keeps its space");
            r.close();
            assertThrows(IllegalStateException.class, r::payload);
            List<String> drained = new ArrayList<>();
            assertEquals(1, consumer.drain(p -> drained.add(text(p.toArray(ValueLayout.JAVA_BYTE))), 10));
            assertEquals(List.of("b"), drained);
        }
    }

    @Test
    void aRecordGivenBackUnreadIsReadAgainByThisConsumerAndTheNext() {
        try (SharedRing ring = SharedRing.create(spec(4096))) {
            ring.offer(text("a"));
            ring.offer(text("b"));
            try (RingConsumer consumer = ring.consumer()) {
                RingRecord r = consumer.next();
                r.unread();
                assertFalse(r.isHeld());
                IllegalStateException twice = assertThrows(IllegalStateException.class, r::unread);
                assertEquals("the record was released or given back; a record's bytes are valid only until then",
                        twice.getMessage());
                assertEquals(0, ring.status().consumerPosition(), "an unread record keeps its space");
                RingRecord again = consumer.next();
                assertEquals(0, again.position());
                assertEquals("a", text(again.toArray()));
                again.unread();
            }
            try (RingConsumer next = ring.consumer()) {
                assertEquals("a", text(next.poll()), "the next consumer starts at the record given back");
                assertEquals("b", text(next.poll()));
                assertNull(next.poll());
                assertEquals(32, ring.status().consumerPosition());
            }
        }
    }

    @Test
    void ringsAndArraysRefuseEachOthersFiles() {
        try (SharedRing ignored = SharedRing.create(spec(4096))) {
            IncompatibleMapException e = assertThrows(IncompatibleMapException.class,
                    () -> SharedArray.open(MapSpec.existing(name).dir(dir)));
            assertEquals("map '" + name + "' is a ring map, not an array map; open it with SharedRing (or SharedQueue)", e.getMessage());
            assertThrows(IncompatibleMapException.class, () -> SharedArray.open(MapSpec.array(name, Codec.i64(), 4).dir(dir)));
            IncompatibleMapException q = assertThrows(IncompatibleMapException.class,
                    () -> SharedQueue.open(MapSpec.existing(name).dir(dir)));
            assertEquals("ring '" + name + "' holds records of any length; a queue needs fixed-size values (open it with"
                    + " SharedRing)", q.getMessage());
            // a ring's spec given to SharedArray no longer compiles; a ring opened by location as an array is refused
            IncompatibleMapException wrongKind = assertThrows(IncompatibleMapException.class,
                    () -> SharedArray.open(MapSpec.existing(name).dir(dir)));
            assertEquals("map '" + name + "' is a ring map, not an array map; open it with SharedRing (or SharedQueue)",
                    wrongKind.getMessage());
        }
        String array = name + "a";
        try (SharedArray<Long> ignored = SharedArray.create(MapSpec.array(array, Codec.i64(), 4).dir(dir))) {
            IncompatibleMapException e = assertThrows(IncompatibleMapException.class,
                    () -> SharedRing.open(MapSpec.existing(array).dir(dir)));
            assertEquals("map '" + array + "' is an array map, not a ring map; open it with SharedArray", e.getMessage());
        }
    }

    @Test
    void capacitiesArePowersOfTwoOfAtLeastAPage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MapSpec.ring("x", 6000));
        assertEquals("a ring's capacity must be a power of two from 4096 to 1073741824 bytes, not 6000", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MapSpec.ring("x", 2048));
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> MapSpec.queue("x", Codec.bytes(5000), 0));
        assertEquals("queue 'x': 0 values of u8[5000] (5008 bytes each in the ring) is no capacity; a queue holds 1 value"
                + " at least", none.getMessage());
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                () -> MapSpec.queue("x", Codec.bytes(5000), 1 << 20));
        assertEquals("queue 'x': 1048576 values of u8[5000] (5008 bytes each in the ring) need a ring of more than"
                + " 1073741824 bytes, the most a ring has", tooMany.getMessage());
    }

    @Test
    void aTypedQueueIsSizedInValuesAndItsRingInBytes() {
        QueueSpec<Long> one = MapSpec.queue("x", Codec.i64(), 1);
        assertEquals(1, one.capacityValues());
        assertEquals(4096, one.capacityBytes(), "one page at least");
        record Job(long id, int priority, @Chars(20) String owner) {}   // 32 bytes, 40 in the ring
        QueueSpec<Job> jobs = MapSpec.queue(name, Job.class, 4096).dir(dir);
        assertEquals(4096, jobs.capacityValues());
        assertEquals(262144, jobs.capacityBytes(), "4096 x 40 = 163840, rounded up to a power of two");
        try (SharedQueue<Job> q = SharedQueue.create(jobs)) {
            assertEquals(6553, q.capacityValues(), "262144 / 40: all the ring has room for");
            assertEquals(262144, q.ring().capacityBytes());
            assertEquals(262144, q.status().capacityBytes());
            int offered = 0;
            while (q.offer(new Job(offered, 1, "ada"))) offered++;
            assertEquals(6553, offered);
        }
        IncompatibleMapException e = assertThrows(IncompatibleMapException.class,
                () -> SharedQueue.open(MapSpec.queue(name, Job.class, 8192).dir(dir)));
        assertEquals("map '" + name + "' does not match the spec: capacity: file has 262144 bytes (6553 values), spec asks"
                + " 524288 bytes (13107 values). To go on, delete the map (SharedMaps.delete, or mapsync rm) and create it"
                + " again, or give the spec another name", e.getMessage());
    }

    @Test
    void aCorruptRingHeaderIsRefused() throws IOException {
        try (SharedRing ignored = SharedRing.create(spec(4096))) {
            // entries (the capacity) at header offset 36
            try (FileChannel ch = FileChannel.open(dir.resolve(name), StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 6000), 36);
            }
        }
        CorruptMapException e = assertThrows(CorruptMapException.class, () -> SharedRing.open(MapSpec.existing(name).dir(dir)));
        assertEquals("map '" + name + "' is corrupt: a ring's capacity must be a power of two from 4096 to 1073741824"
                + " bytes, not 6000", e.getMessage());
    }
}
