package dev.mapsync;

import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.MapDir;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Change notifications through the API: what is delivered, in what order, and how a fall-behind is told. */
class NotifyTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final int PID = (int) ProcessHandle.current().pid();
    @RegisterExtension
    final MapDir maps = new MapDir("n");
    private Path dir;
    private String name;

    @BeforeEach
    void setUp() {
        dir = maps.dir();
        name = maps.name();
    }

    private <V> ArraySpec<V> spec(Backend b, Codec<V> codec, int entries) {
        return Machine.on(b, MapSpec.array(name, codec, entries).dir(dir));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void everyKindOfWriteIsDeliveredInOrderWithKeySeqAndPid(Backend b) {
        record Pair(long a, long b) {}
        try (SharedArray<Pair> map = SharedArray.create(Machine.on(b, MapSpec.array(name, Pair.class, 8).dir(dir)));
             ChangeCursor cursor = map.changes()) {
            long first = cursor.position();
            map.set(1, new Pair(1, 1));
            map.longs("a").getAndAdd(2, 5);
            map.longs("b").compareAndSet(3, 0, 7);
            map.longs("b").compareAndSet(3, 0, 8); // fails: not a change
            map.update(4, p -> new Pair(p.a() + 1, p.b()));
            map.longs("a").getPlain(5); // a read: not a change
            List<ChangeEvent> events = cursor.poll(WAIT);
            assertEquals(List.of(new Change(1, first, PID), new Change(2, first + 1, PID), new Change(3, first + 2, PID),
                    new Change(4, first + 3, PID)), events);
            assertEquals(List.of(), cursor.poll(Duration.ofMillis(50)), "nothing more");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aKeyRangeFiltersAndSequenceNumbersStayGlobal(Backend b) {
        try (SharedArray<Long> map = SharedArray.create(spec(b, Codec.i64(), 10));
             ChangeCursor cursor = map.changes(3, 5)) {
            long first = cursor.position();
            for (int k = 0; k < 10; k++) map.set(k, (long) k);
            assertEquals(List.of(new Change(3, first + 3, PID), new Change(4, first + 4, PID), new Change(5, first + 5, PID)),
                    cursor.poll(WAIT));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aSubscriberThatFellBehindIsToldExactlyHowManyItMissed(Backend b) {
        try (SharedArray<Long> map = SharedArray.create(spec(b, Codec.i64(), 4).changelogCapacity(16));
             ChangeCursor cursor = map.changes()) {
            long first = cursor.position();
            for (int i = 0; i < 100; i++) map.longs().getAndAdd(i % 4, 1);
            List<ChangeEvent> events = cursor.poll(WAIT);
            assertEquals(new MissedChanges(first, 84), events.getFirst());
            assertEquals(17, events.size());
            for (int i = 1; i < 17; i++) assertEquals(new Change((84 + i - 1) % 4, first + 84 + i - 1, PID), events.get(i));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void theMapCountsTheChangesEverySubscriberMissedForMonitoring(Backend b) {
        try (SharedArray<Long> map = SharedArray.create(spec(b, Codec.i64(), 4).changelogCapacity(16));
             ChangeCursor slow = map.changes();
             ChangeCursor slower = map.changes()) {
            assertEquals(0, map.syncStatus().missedChanges());
            for (int i = 0; i < 40; i++) map.longs().getAndAdd(i % 4, 1);
            assertEquals(new MissedChanges(slow.position(), 24), slow.poll(WAIT).getFirst());
            assertEquals(24, map.syncStatus().missedChanges(), "told one subscription of 24");
            for (int i = 0; i < 20; i++) map.longs().getAndAdd(i % 4, 1);
            slow.poll(WAIT);
            slower.poll(WAIT);
            // slow missed 4 more (20 made, 16 kept); slower missed the first 44 of its 60
            assertEquals(24 + 4 + 44, map.syncStatus().missedChanges());
        }
        try (SharedArray<Long> again = SharedArray.open(spec(b, Codec.i64(), 4).changelogCapacity(16))) {
            assertEquals(72, again.syncStatus().missedChanges(), "kept in the map for every process to read");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void changesBeforeTheSubscriptionAreNotDelivered(Backend b) {
        try (SharedArray<Long> map = SharedArray.create(spec(b, Codec.i64(), 2))) {
            map.set(0, 1L);
            try (ChangeCursor cursor = map.changes()) {
                assertEquals(List.of(), cursor.poll(Duration.ofMillis(20)));
                map.set(1, 2L);
                assertEquals(1, cursor.poll(WAIT).size());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aWatchDeliversOnItsOwnThreadUntilClosed(Backend b) throws Exception {
        try (SharedArray<Long> map = SharedArray.create(spec(b, Codec.i64(), 4))) {
            List<ChangeEvent> seen = new CopyOnWriteArrayList<>();
            Subscription sub = map.watch(2, 3, seen::add);
            map.set(1, 1L);
            map.set(2, 2L);
            map.longs().getAndAdd(3, 3);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (seen.size() < 2 && System.nanoTime() < deadline) Thread.sleep(5);
            assertEquals(List.of(2, 3), seen.stream().map(e -> ((Change) e).key()).toList());
            assertTrue(sub.isActive());
            sub.close();
            assertFalse(sub.isActive());
            map.set(2, 9L);
            Thread.sleep(50);
            assertEquals(2, seen.size());
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aListenerThatThrowsEndsItsWatch(Backend b) throws Exception {
        try (SharedArray<Long> map = SharedArray.create(spec(b, Codec.i64(), 2))) {
            Subscription sub = map.watch(e -> {
                throw new IllegalStateException("listener broke");
            });
            map.set(0, 1L);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (sub.isActive() && System.nanoTime() < deadline) Thread.sleep(5);
            assertFalse(sub.isActive());
            assertEquals("listener broke", sub.failure().orElseThrow().getMessage());
            sub.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aPollingWatcherSeesWritesTheChangeLogCannot(Backend b) throws Exception {
        try (SharedArray<Long> map = SharedArray.create(spec(b, Codec.i64(), 6));
             SharedArray<Long> reader = SharedArray.openReadOnly(spec(b, Codec.i64(), 6))) {
            List<ChangeEvent> seen = new CopyOnWriteArrayList<>();
            try (Subscription sub = reader.watchPolling(Duration.ofMillis(10), 1, 4, seen::add)) {
                Thread.sleep(30);
                map.longs().setPlain(2, 5); // through the API, but the polling watcher sees states, not the log
                map.longs().setPlain(5, 5); // outside the range
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (seen.isEmpty() && System.nanoTime() < deadline) Thread.sleep(5);
                Thread.sleep(50);
                assertEquals(List.of(new Change(2, 1, 0)), new ArrayList<>(seen));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aReadOnlyHandleCannotSubscribeAndAClosedCursorSaysSo(Backend b) {
        try (SharedArray<Long> map = SharedArray.create(spec(b, Codec.i64(), 2));
             SharedArray<Long> ro = SharedArray.openReadOnly(spec(b, Codec.i64(), 2))) {
            assertEquals("map '" + name + "' is open read-only; subscribing registers in the map, so open it read-write,"
                    + " or use a polling watcher", assertThrows(MapAccessDeniedException.class, ro::changes).getMessage());
            ChangeCursor cursor = map.changes();
            cursor.close();
            cursor.close();
            assertEquals("change cursor of map '" + name + "' is closed",
                    assertThrows(MapClosedException.class, () -> cursor.poll(WAIT)).getMessage());
            assertEquals("key range 1..0 is empty", assertThrows(IllegalArgumentException.class, () -> map.changes(1, 0)).getMessage());
        }
    }

    /**
     * Polls that never wait (a zero timeout) beside two writers: a change the poll's wait gave up on an instant before
     * its writer published it is handed out, never counted missed (the log holds every change here).
     */
    @Test
    void zeroTimeoutPollsBesideWritersMissNothing() throws Exception {
        int each = 100_000;
        try (SharedArray<Long> map = SharedArray.create(MapSpec.array(name, Codec.i64(), 2).dir(dir)
                .changelogCapacity(1 << 18));
             ChangeCursor cursor = map.changes()) {
            List<Thread> writers = new java.util.ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int key = w;
                writers.add(Thread.ofPlatform().start(() -> {
                    for (int n = 0; n < each; n++) map.longs().getAndAdd(key, 1);
                }));
            }
            long delivered = 0, missed = 0;
            while (delivered + missed < 2L * each) {
                for (ChangeEvent e : cursor.poll(Duration.ZERO)) {
                    if (e instanceof MissedChanges m) missed += m.count();
                    else delivered++;
                }
            }
            for (Thread t : writers) t.join();
            assertEquals(0, missed, "changes counted missed");
            assertEquals(2L * each, delivered);
        }
    }
}
