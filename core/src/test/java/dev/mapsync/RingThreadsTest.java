package dev.mapsync;

import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.TestJvm;
import dev.mapsync.testkit.Crowd;
import dev.mapsync.testkit.MapDir;
import dev.mapsync.testkit.RingProducerChild;
import dev.mapsync.testkit.RingRecords;
import dev.mapsync.testkit.RingRecords.Item;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Queues and rings shared by the threads of a process, as applications share them: eight threads at once, platform
 * or virtual, on one handle, checked against a model. Every value offered is taken exactly once, each producer's
 * values keep their order, and no exception but the documented ones escapes.
 */
class RingThreadsTest {
    private static final int THREADS = 8;
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @RegisterExtension
    final MapDir maps = new MapDir("rt");
    private Path dir;
    private String name;

    @BeforeEach
    void setUp() {
        dir = maps.dir();
        name = maps.name();
    }

    /** Every value taken, counted: each must come exactly once. */
    private static final class Tally {
        final Map<Long, AtomicInteger> times = new ConcurrentHashMap<>();
        final AtomicLong taken = new AtomicLong();

        void took(long value) {
            times.computeIfAbsent(value, v -> new AtomicInteger()).incrementAndGet();
            taken.incrementAndGet();
        }

        void assertExactlyOnce(long expected) {
            List<Long> repeated = times.entrySet().stream().filter(e -> e.getValue().get() != 1).map(Map.Entry::getKey)
                    .sorted().limit(10).toList();
            assertEquals(List.of(), repeated, "values taken more than once");
            assertEquals(expected, times.size(), "distinct values taken");
            assertEquals(expected, taken.get(), "values taken");
        }
    }

    @ParameterizedTest
    @EnumSource(Crowd.Kind.class)
    void eightThreadsOfferingAndPollingOneQueueTakeEveryValueExactlyOnce(Crowd.Kind kind) {
        int each = 4_000;
        long total = (long) THREADS * each;
        Tally tally = new Tally();
        try (SharedQueue<Long> queue = SharedQueue.create(MapSpec.queue(name, Codec.i64(), 256).dir(dir))) {
            Crowd.run(kind, THREADS, LIMIT, t -> {
                for (int j = 0; j < each; j++) {
                    long value = (long) t * each + j;
                    switch (j % 3) {
                        case 0 -> {
                            while (!queue.offer(value)) take(queue.poll(), tally);
                        }
                        case 1 -> queue.put(value, Duration.ofSeconds(1));
                        default -> {
                            while (!queue.offer(value)) take(queue.poll(Duration.ofMillis(1)), tally);
                        }
                    }
                    switch (j % 4) {
                        case 0 -> take(queue.poll(), tally);
                        case 1 -> take(queue.poll(Duration.ofMillis(1)), tally);
                        case 2 -> queue.drain(v -> tally.took(v), 3);
                        default -> { }
                    }
                }
                while (tally.taken.get() < total) take(queue.poll(Duration.ofMillis(5)), tally);
            });
            tally.assertExactlyOnce(total);
            assertEquals(0, queue.status().usedBytes(), "the queue is empty");
        }
    }

    private static void take(Long value, Tally tally) {
        if (value != null) tally.took(value);
    }

    @ParameterizedTest
    @EnumSource(Crowd.Kind.class)
    void eightProducerThreadsClaimOfferAndPutAndOneConsumerGetsEachRecordOnceInItsProducersOrder(Crowd.Kind kind)
            throws Exception {
        int each = 5_000;
        try (SharedRing ring = SharedRing.create(MapSpec.ring(name, 1 << 14).dir(dir));
             RingConsumer consumer = ring.consumer()) {
            long[] next = new long[THREADS];
            AtomicReference<String> violation = new AtomicReference<>();
            AtomicLong received = new AtomicLong();
            Thread reader = Thread.ofPlatform().start(() -> {
                while (received.get() < (long) THREADS * each) {
                    try (RingRecord r = consumer.next(Duration.ofMillis(10))) {
                        if (r == null) continue;
                        int source = (int) r.payload().get(LONG, 0);
                        long seq = r.payload().get(LONG, 8);
                        if (next[source] != seq) violation.compareAndSet(null, "producer " + source + " sent " + seq
                                + " where " + next[source] + " was due");
                        next[source] = seq + 1;
                        received.incrementAndGet();
                    }
                }
            });
            Crowd.run(kind, THREADS, LIMIT, t -> {
                byte[] bytes = new byte[16];
                MemorySegment record = MemorySegment.ofArray(bytes);
                for (long seq = 0; seq < each; seq++) {
                    record.set(LONG, 0, t);
                    record.set(LONG, 8, seq);
                    switch ((int) (seq % 4)) {
                        case 0 -> {
                            RingClaim tried;
                            while ((tried = ring.tryClaim(16)) == null) Thread.onSpinWait();
                            try (RingClaim claim = tried) {
                                MemorySegment.copy(record, 0, claim.payload(), 0, 16);
                                claim.commit();
                            }
                        }
                        case 1 -> {
                            try (RingClaim claim = ring.claim(16, Duration.ofSeconds(5))) {
                                MemorySegment.copy(record, 0, claim.payload(), 0, 16);
                                claim.commit();
                            }
                        }
                        case 2 -> {
                            while (!ring.offer(bytes)) Thread.onSpinWait();
                        }
                        default -> ring.put(record, Duration.ofSeconds(5));
                    }
                }
            });
            reader.join(LIMIT.toMillis());
            assertEquals(null, violation.get());
            assertEquals((long) THREADS * each, received.get());
            for (int t = 0; t < THREADS; t++) assertEquals(each, next[t], "records of producer " + t);
        }
    }

    @ParameterizedTest
    @EnumSource(Crowd.Kind.class)
    void eightThreadsSharingOneConsumerGetEachRecordOnceWhateverCallTheyUse(Crowd.Kind kind) {
        int records = 40_000;
        Tally tally = new Tally();
        try (SharedRing ring = SharedRing.create(MapSpec.ring(name, 1 << 14).dir(dir));
             RingConsumer consumer = ring.consumer()) {
            Thread producer = Thread.ofPlatform().start(() -> {
                byte[] bytes = new byte[8];
                MemorySegment record = MemorySegment.ofArray(bytes);
                for (long v = 0; v < records; v++) {
                    record.set(LONG, 0, v);
                    ring.put(bytes, Duration.ofSeconds(30));
                }
            });
            Crowd.run(kind, THREADS, LIMIT, t -> {
                for (int round = 0; tally.taken.get() < records; round++) {
                    switch ((t + round) % 5) {
                        case 0 -> {
                            RingRecord r = consumer.next();
                            if (r != null) {
                                tally.took(r.payload().get(LONG, 0));
                                r.release();
                            }
                        }
                        case 1 -> {
                            try (RingRecord r = consumer.next(Duration.ofMillis(2))) {
                                if (r != null) tally.took(r.payload().get(LONG, 0));
                            }
                        }
                        case 2 -> {
                            byte[] copy = consumer.poll();
                            if (copy != null) tally.took(MemorySegment.ofArray(copy).get(LONG, 0));
                        }
                        case 3 -> {
                            byte[] copy = consumer.poll(Duration.ofMillis(2));
                            if (copy != null) tally.took(MemorySegment.ofArray(copy).get(LONG, 0));
                        }
                        default -> consumer.drain(p -> tally.took(p.get(LONG, 0)), 5);
                    }
                }
            });
            tally.assertExactlyOnce(records);
            assertTrue(join(producer));
        }
    }

    @ParameterizedTest
    @EnumSource(Crowd.Kind.class)
    void aRecordBelongsToTheThreadThatTookItAndOtherThreadsWaitForItsReleaseWithinTheirTimeouts(Crowd.Kind kind)
            throws Exception {
        try (SharedRing ring = SharedRing.create(MapSpec.ring(name, 1 << 12).dir(dir));
             RingConsumer consumer = ring.consumer()) {
            for (long v = 0; v < 3; v++) assertTrue(ring.offer(MemorySegment.ofArray(new long[]{v})));
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch checked = new CountDownLatch(1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread holder = kind.builder().start(() -> {
                try (RingRecord r = consumer.next(Duration.ofSeconds(1))) {
                    assertEquals(0, r.payload().get(LONG, 0));
                    held.countDown();
                    assertTrue(checked.await(30, TimeUnit.SECONDS));
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            assertTrue(held.await(30, TimeUnit.SECONDS));
            AtomicReference<RingRecord> shared = new AtomicReference<>();
            // the record object is the consumer's; another thread may not read it or release it
            Thread other = kind.builder().start(() -> {
                try {
                    RingRecord r = sharedRecord(consumer);
                    shared.set(r);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            other.join();
            IllegalStateException notYours = assertThrows(IllegalStateException.class, () -> shared.get().payload());
            assertTrue(notYours.getMessage().contains("belongs to thread"), notYours.getMessage());
            assertThrows(IllegalStateException.class, () -> shared.get().release());
            // another thread waits for the release, never past its own timeout
            long start = System.nanoTime();
            assertNull(consumer.next(Duration.ofMillis(200)));
            long waited = System.nanoTime() - start;
            assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(190) && waited < TimeUnit.SECONDS.toNanos(2),
                    "waited " + waited / 1_000_000 + " ms for a timeout of 200 ms");
            assertNull(consumer.poll(), "no record is ready for this thread while another holds the current one");
            assertEquals(0, consumer.drain(p -> fail("drained " + p), 10));
            checked.countDown();
            holder.join();
            if (failure.get() != null) throw new AssertionError(failure.get());
            // released: the next records come, in order, to whoever asks
            assertEquals(1, MemorySegment.ofArray(consumer.poll(Duration.ofSeconds(1))).get(LONG, 0));
            try (RingRecord r = consumer.next(Duration.ofSeconds(1))) {
                assertEquals(2, r.payload().get(LONG, 0));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Crowd.Kind.class)
    void aConsumerClosedByAnotherThreadEndsItsWaitAtOnceAndGivesItsRoleUpWhenTheRecordIsReleased(Crowd.Kind kind)
            throws Exception {
        RingSpec spec = MapSpec.ring(name, 1 << 12).dir(dir);
        try (SharedRing ring = SharedRing.create(spec); SharedRing other = SharedRing.open(spec)) {
            // a thread waiting for a record: the close ends its wait, long before its timeout
            RingConsumer consumer = ring.consumer();
            AtomicReference<Throwable> ended = new AtomicReference<>();
            CountDownLatch waiting = new CountDownLatch(1);
            Thread waiter = kind.builder().start(() -> {
                waiting.countDown();
                try {
                    consumer.next(Duration.ofSeconds(30));
                } catch (Throwable e) {
                    ended.set(e);
                }
            });
            assertTrue(waiting.await(10, TimeUnit.SECONDS));
            long start = System.nanoTime();
            consumer.close();
            assertTrue(waiter.join(Duration.ofSeconds(5)), "the wait ended");
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2));
            assertTrue(ended.get() instanceof MapClosedException, "ended with " + ended.get());
            other.consumer().close(); // the role was given up

            // a thread holding a record: the close gives the role up when the record is released
            assertTrue(ring.offer(new byte[]{1}));
            RingConsumer second = ring.consumer();
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread holder = kind.builder().start(() -> {
                try (RingRecord r = second.next(Duration.ofSeconds(5))) {
                    held.countDown();
                    release.await(30, TimeUnit.SECONDS);
                } catch (Throwable e) {
                    ended.set(e);
                }
            });
            assertTrue(held.await(10, TimeUnit.SECONDS));
            second.close();
            assertTrue(second.isClosed());
            assertThrows(ConsumerBusyException.class, other::consumer, "the record's holder still reads");
            release.countDown();
            assertTrue(holder.join(Duration.ofSeconds(5)));
            try (RingConsumer third = other.consumer()) {
                assertNull(third.poll(), "the held record was consumed when it was released");
            }
        }
    }

    /** The record object of {@code consumer}, from a thread that did not take it: a peek at what is shared. */
    private static RingRecord sharedRecord(RingConsumer consumer) throws ReflectiveOperationException {
        var field = RingConsumer.class.getDeclaredField("record");
        field.setAccessible(true);
        return (RingRecord) field.get(consumer);
    }

    @ParameterizedTest
    @EnumSource(Crowd.Kind.class)
    void aClaimCommittedByEightThreadsAtOnceIsCommittedOnce(Crowd.Kind kind) throws Exception {
        int rounds = 200;
        try (SharedRing ring = SharedRing.create(MapSpec.ring(name, 1 << 12).dir(dir));
             RingConsumer consumer = ring.consumer()) {
            AtomicLong commits = new AtomicLong();
            AtomicLong refused = new AtomicLong();
            AtomicReference<RingClaim> current = new AtomicReference<>();
            CyclicBarrier round = new CyclicBarrier(THREADS, () -> {
                RingClaim c = ring.tryClaim(8);
                c.payload().set(LONG, 0, 7L);
                current.set(c);
            });
            CyclicBarrier end = new CyclicBarrier(THREADS);
            Crowd.run(kind, THREADS, LIMIT, t -> {
                for (int r = 0; r < rounds; r++) {
                    round.await(10, TimeUnit.SECONDS);
                    try {
                        current.get().commit();
                        commits.incrementAndGet();
                    } catch (IllegalStateException e) {
                        if (!e.getMessage().contains("already committed")) throw e;
                        refused.incrementAndGet();
                    }
                    end.await(10, TimeUnit.SECONDS);
                    if (t == 0) {
                        byte[] got = consumer.poll(Duration.ofSeconds(1));
                        assertNotNull(got);
                        assertEquals(7L, MemorySegment.ofArray(got).get(LONG, 0));
                    }
                }
            });
            assertEquals(rounds, commits.get(), "each claim committed once");
            assertEquals((long) rounds * (THREADS - 1), refused.get());
            assertNull(consumer.poll(), "no record appeared twice");
            assertEquals(ring.status().producerPosition(), ring.status().consumerPosition());
        }
    }

    @Test
    void eightConsumerThreadsShareOneQueueThatTwoProducerProcessesFill() throws Exception {
        int capacity = 1 << 14;
        int each = 50_000;
        try (SharedQueue<Item> queue = SharedQueue.create(RingRecords.queue(dir, name, capacity))) {
            List<ChildJvm> producers = new ArrayList<>();
            for (int p = 1; p <= 2; p++) {
                producers.add(TestJvm.start(RingProducerChild.class, dir.toString(), name, Integer.toString(capacity),
                        Integer.toString(p), Integer.toString(each), "all"));
            }
            Tally tally = new Tally();
            AtomicReference<String> violation = new AtomicReference<>();
            try {
                Crowd.run(Crowd.Kind.VIRTUAL, THREADS, Duration.ofSeconds(120), t -> {
                    long[] last = {-1, -1, -1};
                    while (tally.taken.get() < 2L * each) {
                        Item item = queue.poll(Duration.ofMillis(20));
                        if (item == null) continue;
                        // one consumer thread sees each producer's values in their order
                        if (item.seq() <= last[item.source()]) violation.compareAndSet(null, "thread " + t + " got "
                                + item + " after seq " + last[item.source()]);
                        last[item.source()] = item.seq();
                        tally.took(item.source() * 1_000_000L + item.seq());
                    }
                });
                for (ChildJvm p : producers) p.awaitSuccess(120);
            } finally {
                for (ChildJvm p : producers) p.close();
            }
            assertNull(violation.get());
            tally.assertExactlyOnce(2L * each);
        }
    }

    private static boolean join(Thread t) {
        try {
            return t.join(LIMIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
