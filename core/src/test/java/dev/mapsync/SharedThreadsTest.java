package dev.mapsync;

import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.Await;
import dev.mapsync.testkit.CounterWorker;
import dev.mapsync.testkit.Crowd;
import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.MapDir;
import dev.mapsync.testkit.TestJvm;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Arrays, their slots and locks, hash maps and their iterators, change cursors, subscriptions and barriers shared by
 * the threads of a process: eight threads at once on one handle, platform or virtual, checked against a model
 * (counters exact, every change delivered once, every entry iterated once, no torn value), with no exception but the
 * documented ones.
 */
class SharedThreadsTest {
    private static final int THREADS = 8;
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final MapDir maps = new MapDir("st");
    private Path dir;
    private String name;

    @BeforeEach
    void setUp() {
        dir = maps.dir();
        name = maps.name();
    }

    static Stream<Arguments> kindsAndBackends() {
        return Stream.of(Crowd.Kind.values()).flatMap(k -> Stream.of(Backend.values()).map(b -> Arguments.of(k, b)));
    }

    /** An account whose check field says whether a read saw it whole. */
    record Account(long id, long balance, long check) {
        static Account of(long id, long balance) {
            return new Account(id, balance, id * 1_000_003 + balance);
        }

        boolean whole() {
            return check == id * 1_000_003 + balance;
        }
    }

    @ParameterizedTest
    @MethodSource("kindsAndBackends")
    void eightThreadsOnOneArrayKeepCountersExactAndRecordsWhole(Crowd.Kind kind, Backend backend) {
        int each = 2_000;
        int accounts = 16;
        try (SharedArray<Account> ledger = SharedArray.create(Machine.on(backend,
                MapSpec.array(name, Account.class, accounts).dir(dir)));
             SharedArray<Long> counters = SharedArray.create(Machine.on(backend,
                     MapSpec.array(maps.name("c"), Codec.i64(), 4).dir(dir)));
             SharedArray<Integer> small = SharedArray.create(Machine.on(backend,
                     MapSpec.array(maps.name("i"), Codec.i32(), 2).dir(dir)))) {
            for (int a = 0; a < accounts; a++) ledger.set(a, Account.of(a, 1_000));
            LongSlots longs = counters.longs();
            IntSlots ints = small.ints();
            LongSlots balances = ledger.longs("balance");
            AtomicLong torn = new AtomicLong();
            Crowd.run(kind, THREADS, LIMIT, t -> {
                for (int j = 0; j < each; j++) {
                    int from = (t + j) % accounts, to = (t + 3 * j + 1) % accounts;
                    if (from != to) {
                        try (LockGuard held = ledger.lockAll(from, to)) {
                            Account a = ledger.get(from), b = ledger.get(to);
                            ledger.set(from, Account.of(a.id(), a.balance() - 1));
                            ledger.set(to, Account.of(b.id(), b.balance() + 1));
                        }
                    }
                    if (!ledger.get((t * 5 + j) % accounts).whole()) torn.incrementAndGet();
                    longs.getAndAdd(0, 1);
                    long seen;
                    do {
                        seen = longs.getVolatile(1);
                    } while (!longs.compareAndSet(1, seen, seen + 1));
                    counters.update(2, v -> v + 1);
                    ints.getAndAdd(0, 1);
                    ints.addAndGet(1, 2);
                    balances.getAcquire(j % accounts);
                }
            });
            long expected = (long) THREADS * each;
            assertEquals(0, torn.get(), "records read half-written");
            assertEquals(List.of(expected, expected, expected, 0L),
                    List.of(counters.get(0), counters.get(1), counters.get(2), counters.get(3)));
            assertEquals(List.of((int) expected, (int) (2 * expected)), List.of(small.get(0), small.get(1)));
            long total = 0;
            for (int a = 0; a < accounts; a++) {
                assertTrue(ledger.get(a).whole());
                total += ledger.get(a).balance();
            }
            assertEquals(accounts * 1_000L, total, "money neither made nor lost");
            assertEquals(List.of(), ledger.locks(), "no lock left held");
        }
    }

    @Test
    void eightThreadsAndAnotherProcessAddToOneArrayAndNoIncrementIsLost() throws Exception {
        long each = 200_000;
        try (SharedArray<Long> counters = SharedArray.create(MapSpec.array(name, Codec.i64(), 2 + THREADS).dir(dir))) {
            try (ChildJvm child = TestJvm.start(CounterWorker.class, dir.toString(), name, "SHM",
                    Integer.toString(2 + THREADS), "0", Long.toString(each))) {
                LongSlots slots = counters.longs();
                Crowd.run(Crowd.Kind.VIRTUAL, THREADS, LIMIT, t -> {
                    for (long i = 0; i < each; i++) {
                        slots.getAndAdd(0, 1);
                        slots.getAndAdd(2 + t, 1);
                    }
                });
                child.awaitSuccess(60);
            }
            assertEquals((THREADS + 1) * each, counters.get(0));
            assertEquals(each, counters.get(1));
            for (int t = 0; t < THREADS; t++) assertEquals(each, counters.get(2 + t));
        }
    }

    @ParameterizedTest
    @MethodSource("kindsAndBackends")
    void eightThreadsOnOneHashMapKeepItExactAndOneIteratorSharedByThemHandsEachEntryOut(Crowd.Kind kind,
                                                                                      Backend backend) {
        int each = 500;
        HashSpec<Long, Long> spec = HashSpec.of(name, Codec.i64(), Codec.i64(), 8_192).dir(dir).backend(backend);
        Machine.require(backend);
        try (SharedHashMap<Long, Long> map = SharedHashMap.create(spec)) {
            Crowd.run(kind, THREADS, LIMIT, t -> {
                for (int j = 0; j < each; j++) {
                    long own = t * 1_000_000L + j;
                    assertNull(map.putIfAbsent(own, (long) j));
                    map.getAndAdd(-1L, 1);
                    map.compute(-2L, (k, v) -> v == null ? 1 : v + 1);
                    if (j % 2 == 1) assertEquals(j, map.remove(own));
                    else assertTrue(map.replace(own, (long) j, j + 1L));
                    assertEquals(j % 2 == 1 ? null : j + 1L, map.get(own));
                }
            });
            long expected = (long) THREADS * each;
            assertEquals(expected, map.get(-1L));
            assertEquals(expected, map.get(-2L));
            assertEquals(expected / 2 + 2, map.size());
            Map<Long, AtomicInteger> seen = new ConcurrentHashMap<>();
            Iterator<Map.Entry<Long, Long>> shared = map.iterator();
            Crowd.run(kind, THREADS, LIMIT, t -> {
                while (true) {
                    Map.Entry<Long, Long> e;
                    try {
                        e = shared.next();
                    } catch (NoSuchElementException end) {
                        return; // another thread took the last one between our hasNext and next, or none is left
                    }
                    seen.computeIfAbsent(e.getKey(), k -> new AtomicInteger()).incrementAndGet();
                    long key = e.getKey();
                    long value = key < 0 ? expected : key % 1_000_000 + 1;
                    assertEquals(value, e.getValue(), "value of key " + key);
                }
            });
            assertEquals(List.of(), seen.entrySet().stream().filter(e -> e.getValue().get() != 1).map(Map.Entry::getKey)
                    .toList(), "keys handed out more than once");
            assertEquals(expected / 2 + 2, seen.size(), "keys handed out");
        }
    }

    @ParameterizedTest
    @EnumSource(Crowd.Kind.class)
    void eightThreadsPollingOneChangeCursorGetEachChangeOnce(Crowd.Kind kind) {
        int each = 2_000;
        long total = (long) THREADS * each;
        try (SharedArray<Long> map = SharedArray.create(MapSpec.array(name, Codec.i64(), THREADS).dir(dir)
                .changelogCapacity(1 << 16));
             ChangeCursor cursor = map.changes()) {
            long first = cursor.position();
            Set<Long> seqs = ConcurrentHashMap.newKeySet();
            LongAdder delivered = new LongAdder();
            LongAdder missed = new LongAdder();
            long[] perKey = new long[THREADS];
            Crowd.run(kind, THREADS, LIMIT, t -> {
                for (int j = 0; j < each; j++) {
                    map.longs().getAndAdd(t, 1);
                    if (j % 8 == 0) take(cursor.poll(j % 16 == 0 ? Duration.ZERO : Duration.ofMillis(1)), seqs,
                            delivered, missed, perKey);
                }
                while (delivered.sum() + missed.sum() < total) {
                    take(cursor.poll(Duration.ofMillis(5)), seqs, delivered, missed, perKey);
                }
            });
            assertEquals(0, missed.sum(), "nothing was overwritten: the log holds every change");
            assertEquals(total, delivered.sum(), "changes delivered");
            assertEquals(total, seqs.size(), "distinct changes delivered");
            synchronized (perKey) {
                for (int t = 0; t < THREADS; t++) assertEquals(each, perKey[t], "changes of key " + t);
            }
            assertEquals(first + total, cursor.position());
        }
    }

    @Test
    void eightThreadsPollingOneChangeCursorGetEachChangeOfAnotherProcessOnce() throws Exception {
        long each = 5_000; // the worker adds to two slots each time: two changes
        try (SharedArray<Long> map = SharedArray.create(MapSpec.array(name, Codec.i64(), THREADS).dir(dir)
                .changelogCapacity(1 << 15));
             ChangeCursor cursor = map.changes()) {
            Set<Long> seqs = ConcurrentHashMap.newKeySet();
            LongAdder delivered = new LongAdder();
            LongAdder missed = new LongAdder();
            long[] perKey = new long[THREADS];
            try (ChildJvm writer = TestJvm.start(CounterWorker.class, dir.toString(), name, "SHM",
                    Integer.toString(THREADS), "0", Long.toString(each))) {
                Crowd.run(Crowd.Kind.VIRTUAL, THREADS, LIMIT, t -> {
                    while (delivered.sum() + missed.sum() < 2 * each) {
                        take(cursor.poll(Duration.ofMillis(5)), seqs, delivered, missed, perKey);
                    }
                });
                writer.awaitSuccess(60);
            }
            assertEquals(0, missed.sum());
            assertEquals(2 * each, seqs.size(), "distinct changes delivered");
            synchronized (perKey) {
                assertEquals(each, perKey[0]);
                assertEquals(each, perKey[1]);
            }
        }
    }

    private static void take(List<ChangeEvent> events, Set<Long> seqs, LongAdder delivered, LongAdder missed,
                             long[] perKey) {
        for (ChangeEvent e : events) {
            switch (e) {
                case Change c -> {
                    assertTrue(seqs.add(c.seq()), "change " + c.seq() + " delivered twice");
                    delivered.increment();
                    synchronized (perKey) {
                        perKey[c.key()]++;
                    }
                }
                case MissedChanges m -> missed.add(m.count());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Crowd.Kind.class)
    void eightThreadsPollingOneKeyChangeCursorGetEachChangeOnce(Crowd.Kind kind) {
        int each = 500;
        long total = (long) THREADS * each;
        try (SharedHashMap<Long, Long> map = SharedHashMap.create(HashSpec.of(name, Codec.i64(), Codec.i64(), 4_096)
                .dir(dir).changelogCapacity(1 << 14));
             KeyChangeCursor<Long> cursor = map.changes()) {
            Map<Long, AtomicInteger> seqs = new ConcurrentHashMap<>();
            Map<Long, LongAdder> perKey = new ConcurrentHashMap<>();
            LongAdder accounted = new LongAdder();
            Crowd.run(kind, THREADS, LIMIT, t -> {
                for (int j = 0; j < each; j++) {
                    map.put((long) t, (long) j);
                    if (j % 4 == 0) takeKeyed(cursor.poll(Duration.ofMillis(j % 8)), seqs, perKey, accounted);
                }
                while (accounted.sum() < total) takeKeyed(cursor.poll(Duration.ofMillis(5)), seqs, perKey, accounted);
            });
            assertEquals(total, accounted.sum());
            assertEquals(List.of(), seqs.entrySet().stream().filter(e -> e.getValue().get() != 1).map(Map.Entry::getKey)
                    .toList(), "changes delivered more than once");
            for (long t = 0; t < THREADS; t++) assertEquals(each, perKey.get(t).sum(), "changes of key " + t);
        }
    }

    private static void takeKeyed(List<KeyChangeEvent<Long>> events, Map<Long, AtomicInteger> seqs,
                                  Map<Long, LongAdder> perKey, LongAdder accounted) {
        for (KeyChangeEvent<Long> e : events) {
            switch (e) {
                case KeyChange<Long> c -> {
                    seqs.computeIfAbsent(c.seq(), s -> new AtomicInteger()).incrementAndGet();
                    perKey.computeIfAbsent(c.key(), k -> new LongAdder()).increment();
                    accounted.increment();
                }
                case MissedKeyChanges<Long> m -> throw new AssertionError("missed " + m);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Crowd.Kind.class)
    void aSubscriptionWatchingEightWritersAndClosedByEightThreadsAtOnceAccountsForEveryChange(Crowd.Kind kind)
            throws Exception {
        int each = 1_000;
        long total = (long) THREADS * each;
        try (SharedArray<Long> map = SharedArray.create(MapSpec.array(name, Codec.i64(), THREADS).dir(dir)
                .changelogCapacity(1 << 15))) {
            AtomicLong accounted = new AtomicLong();
            Subscription sub = map.watch(e -> accounted.addAndGet(e instanceof MissedChanges m ? m.count() : 1));
            Crowd.run(kind, THREADS, LIMIT, t -> {
                for (int j = 0; j < each; j++) map.longs().getAndAdd(t, 1);
            });
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (accounted.get() < total && System.nanoTime() < deadline) Thread.sleep(1);
            assertEquals(total, accounted.get());
            Crowd.run(kind, THREADS, LIMIT, t -> sub.close());
            assertFalse(sub.isActive());
            assertEquals(java.util.Optional.empty(), sub.failure());
            assertEquals(0, map.syncStatus().subscribers(), "the subscription was ended once");
        }
    }

    @ParameterizedTest
    @EnumSource(Crowd.Kind.class)
    void aLockGuardClosedByTwoThreadsAtOnceReleasesTheLockOnce(Crowd.Kind kind) {
        int each = 300;
        try (SharedArray<Long> map = SharedArray.create(MapSpec.array(name, Codec.i64(), 1).dir(dir))) {
            // threads pair up: one takes the lock and counts, then both close its guard at once; a second release
            // would free the lock another thread holds by then, and two threads would count at once
            CyclicBarrier[] pairs = new CyclicBarrier[THREADS / 2];
            for (int p = 0; p < pairs.length; p++) pairs[p] = new CyclicBarrier(2);
            List<AtomicReference<LockGuard>> guards = new ArrayList<>();
            for (int p = 0; p < pairs.length; p++) guards.add(new AtomicReference<>());
            Crowd.run(kind, THREADS, LIMIT, t -> {
                int pair = t / 2;
                boolean locker = t % 2 == 0;
                for (int j = 0; j < each; j++) {
                    if (locker) {
                        LockGuard g = map.lock(0);
                        long v = map.longs().getPlain(0);
                        Thread.yield();
                        map.longs().setPlain(0, v + 1);
                        guards.get(pair).set(g);
                    }
                    pairs[pair].await(10, TimeUnit.SECONDS);
                    guards.get(pair).get().close();
                    pairs[pair].await(10, TimeUnit.SECONDS);
                }
            });
            assertEquals((long) THREADS / 2 * each, map.get(0), "increments made under the lock");
            assertEquals(List.of(), map.locks());
        }
    }

    /**
     * Threads waiting in a change cursor's poll when their map is closed end with {@link MapClosedException} within
     * seconds, not at their timeout: a virtual one too, whose wait the process's sleeper thread sleeps for. A handle
     * of the same map opened at once after may be mapped at the same address, and its waiters share the old words.
     */
    @ParameterizedTest
    @EnumSource(Crowd.Kind.class)
    void aPollOfAMapClosedUnderItEndsAtOnce(Crowd.Kind kind) throws Exception {
        ArraySpec<Long> spec = MapSpec.array(name, Codec.i64(), 4).dir(dir);
        SharedArray.create(spec).close();
        for (int round = 0; round < 3; round++) {
            SharedArray<Long> map = SharedArray.open(spec);
            ChangeCursor changes = map.changes();
            AtomicReference<Throwable> ended = new AtomicReference<>();
            Thread poller = kind.builder().start(() -> {
                try {
                    changes.poll(Duration.ofSeconds(60));
                } catch (Throwable t) {
                    ended.set(t);
                }
            });
            Await.until("the poll sleeps", Duration.ofSeconds(10), () -> map.syncStatus().sleepingWaiters() == 1);
            map.close();
            long start = System.nanoTime();
            poller.join(Duration.ofSeconds(30));
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertFalse(poller.isAlive(), "the poll ended");
            assertTrue(tookMillis < 5_000, "the poll ended in " + tookMillis + " ms");
            assertEquals(MapClosedException.class, ended.get() == null ? null : ended.get().getClass(),
                    String.valueOf(ended.get()));
        }
    }

    /** A record whose second field's accessor waits at {@link #GATE}, once armed: a write in place stops inside it. */
    record Paced(long first, long second) {
        static final CountDownLatch INSIDE = new CountDownLatch(1);
        static final CountDownLatch GATE = new CountDownLatch(1);
        static volatile Thread armed;

        @Override
        public long second() {
            if (Thread.currentThread() == armed) {
                INSIDE.countDown();
                try {
                    GATE.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return second;
        }
    }

    /**
     * The owner of a lock writes an entry under it while another thread closes its guard: the close waits for the
     * write (an array writes a record in place, so the owner stops inside the write, its stripe's sequence odd). A
     * second close meanwhile, by a third thread, returns only once the first has released the lock.
     */
    @Test
    void aGuardClosedByAnotherThreadWaitsForTheWriteItsOwnerHasUnderWay() throws Exception {
        try (SharedArray<Paced> map = SharedArray.create(MapSpec.array(name, Codec.record(Paced.class), 1).dir(dir))) {
            AtomicReference<LockGuard> guard = new AtomicReference<>();
            Thread owner = Thread.ofPlatform().unstarted(() -> {
                guard.set(map.lock(0));
                map.set(0, new Paced(1, 2));
            });
            Paced.armed = owner;
            owner.start();
            Thread closer;
            Thread second;
            AtomicReference<List<LockInfo>> heldAfterSecondClose = new AtomicReference<>();
            try {
                assertTrue(Paced.INSIDE.await(10, TimeUnit.SECONDS), "the owner is inside its write");
                closer = Thread.ofPlatform().start(() -> guard.get().close());
                Await.until("the close ends or waits", Duration.ofSeconds(10),
                        () -> !closer.isAlive() || closer.getState() == Thread.State.WAITING);
                assertTrue(closer.isAlive(), "the close waits for the write under the lock");
                assertEquals(1, map.locks().size(), "the lock is held while the write is under way");
                second = Thread.ofPlatform().start(() -> {
                    guard.get().close();
                    heldAfterSecondClose.set(map.locks());
                });
                Await.until("the second close ends or waits", Duration.ofSeconds(10),
                        () -> !second.isAlive() || second.getState() == Thread.State.WAITING);
                assertTrue(second.isAlive(), "a second close waits for the first one's release");
            } finally {
                Paced.GATE.countDown();
            }
            owner.join(10_000);
            closer.join(10_000);
            second.join(10_000);
            assertFalse(closer.isAlive());
            assertFalse(second.isAlive());
            assertEquals(List.of(), heldAfterSecondClose.get(), "the lock was free when the second close returned");
            assertEquals(new Paced(1, 2), map.get(0));
            assertEquals(List.of(), map.locks());
        }
    }

    @Test
    void aThreadHoldingAGuardsMonitorDoesNotKeepAnotherFromClosingIt() throws Exception {
        try (SharedArray<Long> map = SharedArray.create(MapSpec.array(name, Codec.i64(), 1).dir(dir))) {
            LockGuard g = map.lock(0);
            Thread closer;
            // code of the application's that synchronizes on the guard object, while another thread closes it
            synchronized (g) {
                closer = Thread.ofPlatform().start(g::close);
                Await.until("the other thread's close released the lock", Duration.ofSeconds(10),
                        () -> map.locks().isEmpty());
                try (LockGuard again = map.lock(0)) {
                    assertFalse(again.previousOwnerDied());
                }
            }
            closer.join();
            assertEquals(List.of(), map.locks());
        }
    }

    @ParameterizedTest
    @EnumSource(Crowd.Kind.class)
    void eightThreadsAwaitingOnEachOfTwoPartiesTripEveryGenerationOnce(Crowd.Kind kind) {
        int rounds = 5;
        BarrierSpec spec = MapSpec.barrier(name, 2).dir(dir);
        try (SharedBarrier a = SharedBarrier.create(spec); SharedBarrier b = SharedBarrier.open(spec)) {
            Map<Long, AtomicInteger> generationsA = new ConcurrentHashMap<>();
            Map<Long, AtomicInteger> generationsB = new ConcurrentHashMap<>();
            // one handle is one party: its threads arrive in turn, each arrival meets one of the other party's
            Crowd.run(kind, 2 * THREADS, LIMIT, t -> {
                SharedBarrier mine = t % 2 == 0 ? a : b;
                Map<Long, AtomicInteger> seen = t % 2 == 0 ? generationsA : generationsB;
                for (int r = 0; r < rounds; r++) {
                    seen.computeIfAbsent(mine.await(WAIT), g -> new AtomicInteger()).incrementAndGet();
                }
            });
            for (Map<Long, AtomicInteger> seen : List.of(generationsA, generationsB)) {
                assertEquals((long) THREADS * rounds, seen.size(), "generations tripped");
                assertTrue(seen.values().stream().allMatch(n -> n.get() == 1), "each generation once: " + seen);
                assertEquals((long) THREADS * rounds - 1, seen.keySet().stream().mapToLong(x -> x).max().orElse(-1));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Crowd.Kind.class)
    void aThreadWaitingForItsTurnAtABarrierHandleNeverWaitsPastItsOwnTimeout(Crowd.Kind kind) throws Exception {
        BarrierSpec spec = MapSpec.barrier(name, 2).dir(dir);
        try (SharedBarrier barrier = SharedBarrier.create(spec)) {
            AtomicReference<Throwable> first = new AtomicReference<>();
            Thread waiting = kind.builder().start(() -> {
                try {
                    barrier.await(Duration.ofSeconds(20));
                } catch (Throwable e) {
                    first.set(e);
                }
            });
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (barrier.status().arrived() == 0 && System.nanoTime() < deadline) Thread.sleep(1);
            long start = System.nanoTime();
            CountDownLatch done = new CountDownLatch(1);
            AtomicReference<Throwable> second = new AtomicReference<>();
            kind.builder().start(() -> {
                try {
                    barrier.await(Duration.ofMillis(200));
                } catch (Throwable e) {
                    second.set(e);
                } finally {
                    done.countDown();
                }
            });
            assertTrue(done.await(5, TimeUnit.SECONDS), "the second thread's wait ended");
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(waited < 2_000, "waited " + waited + " ms for a timeout of 200 ms");
            WaitTimeoutException timedOut = assertThrows(WaitTimeoutException.class, () -> {
                throw second.get();
            });
            assertTrue(timedOut.getMessage().contains("another thread"), timedOut.getMessage());
            assertFalse(barrier.status().broken(), "a thread that never arrived breaks nothing");
            barrier.reset();
            waiting.join(WAIT);
            assertThrows(BarrierBrokenException.class, () -> {
                throw first.get();
            });
        }
    }
}
