package dev.mapsync;

import dev.mapsync.internal.store.ControlLayout;
import dev.mapsync.internal.store.Header;
import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.IdleSubscriber;
import dev.mapsync.testkit.LibraryLog;
import dev.mapsync.testkit.MapDir;
import dev.mapsync.testkit.TestJvm;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The subscriber count of a map's event block, forced by a peer to a value no set of subscriptions gives (the
 * maximum, 0xFFFFFFFF, wraps to 0 at the next subscription; 0 under an open subscription stops writers from
 * recording): the next subscriber, or the starved one at its next poll, repairs it from the per-slot counters, says
 * so in the log, and every change after that is delivered within the poll's timeout.
 */
class SubscriberCountTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final long SUBSCRIBERS = Header.SIZE + ControlLayout.EVENT_BLOCK + 12;

    @RegisterExtension
    final MapDir maps = new MapDir("sc");
    @RegisterExtension
    final LibraryLog log = new LibraryLog();
    private ArraySpec<Long> spec;

    @BeforeEach
    void setUp() {
        spec = MapSpec.array(maps.name(), Codec.i64(), 8).dir(maps.dir());
    }

    private void forceCount(int value) throws IOException {
        try (FileChannel f = FileChannel.open(spec.file(), StandardOpenOption.WRITE)) {
            f.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, value), SUBSCRIBERS);
        }
    }

    /** The changes of {@code cursor} until {@code count} arrived or {@link #WAIT} passed. */
    private static List<ChangeEvent> changes(ChangeCursor cursor, int count) {
        List<ChangeEvent> got = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (got.size() < count && System.nanoTime() - deadline < 0) got.addAll(cursor.poll(Duration.ofMillis(100)));
        return got;
    }

    @ParameterizedTest
    @ValueSource(ints = {0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 0x40000000})
    void aCountForcedBeyondAnyPossibleValueIsRepairedByTheNextSubscriberWhichGetsEveryChange(int forced)
            throws Exception {
        try (SharedArray<Long> map = SharedArray.create(spec)) {
            forceCount(forced);
            try (ChangeCursor cursor = map.changes()) {
                assertEquals(1, map.syncStatus().subscribers(), "repaired from the slots' counts");
                long first = cursor.position();
                for (int k = 0; k < 8; k++) map.longs().getAndAdd(k, 1);
                List<ChangeEvent> events = changes(cursor, 8);
                assertEquals(8, events.size(), "changes delivered: " + events);
                assertEquals(new Change(7, first + 7, (int) ProcessHandle.current().pid()), events.getLast());
            }
            assertEquals(0, map.syncStatus().subscribers());
            long head = map.syncStatus().lastChangeSeq();
            map.longs().getAndAdd(0, 1);
            assertEquals(head, map.syncStatus().lastChangeSeq(), "with no subscriber, writers record nothing");
            assertTrue(log.records().stream().anyMatch(r -> r.getLevel().intValue() >= Level.WARNING.intValue()
                    && r.getMessage().contains("'" + maps.name() + "'") && r.getMessage().contains("subscriber")),
                    "the repair is logged: " + log.messages());
        }
    }

    @Test
    void aWatchStartedAfterTheCountWasForcedToTheMaximumFires() throws Exception {
        try (SharedArray<Long> map = SharedArray.create(spec)) {
            forceCount(0xFFFFFFFF);
            List<ChangeEvent> seen = new CopyOnWriteArrayList<>();
            try (Subscription sub = map.watch(seen::add)) {
                map.longs().getAndAdd(3, 1);
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (seen.isEmpty() && System.nanoTime() - deadline < 0) Thread.sleep(1);
                assertEquals(3, ((Change) seen.getFirst()).key(), "the watch fired");
                assertTrue(sub.isActive());
            }
        }
    }

    @Test
    void aCountZeroedUnderAnOpenSubscriptionIsRepairedAtItsNextPoll() throws Exception {
        try (SharedArray<Long> map = SharedArray.create(spec); ChangeCursor cursor = map.changes()) {
            forceCount(0);
            assertEquals(List.of(), cursor.poll(Duration.ofMillis(50)));
            assertEquals(1, map.syncStatus().subscribers(), "the starved subscriber counted itself back in");
            for (int k = 0; k < 5; k++) map.longs().getAndAdd(k, 1);
            assertEquals(5, changes(cursor, 5).size());
            assertTrue(log.records().stream().anyMatch(r -> r.getMessage().contains("'" + maps.name() + "'")),
                    "the repair is logged: " + log.messages());
        }
    }

    @Test
    void writersRecordWhileTheCountIsNegativeAndTheLastUnsubscribeSetsItRight() throws Exception {
        try (SharedArray<Long> map = SharedArray.create(spec)) {
            try (ChangeCursor cursor = map.changes()) {
                forceCount(-5);
                for (int k = 0; k < 3; k++) map.longs().getAndAdd(k, 1);
                assertEquals(3, changes(cursor, 3).size(), "a count that is not 0 makes writers record");
            }
            assertEquals(0, map.syncStatus().subscribers(), "closing found the count impossible and repaired it");
        }
    }

    @Test
    void theRepairCountsTheSubscriptionsOfOtherLiveProcesses() throws Exception {
        try (SharedArray<Long> map = SharedArray.create(spec);
             ChildJvm other = TestJvm.start(IdleSubscriber.class, maps.dir().toString(), maps.name(), "SHM", "8")) {
            other.awaitLine("subscribed", 60);
            assertEquals(1, map.syncStatus().subscribers());
            forceCount(0xFFFFFFFF);
            try (ChangeCursor cursor = map.changes()) {
                assertEquals(2, map.syncStatus().subscribers(), "the other process's subscription and this one");
                map.longs().getAndAdd(1, 1);
                assertEquals(1, changes(cursor, 1).size());
            }
            assertEquals(1, map.syncStatus().subscribers(), "the other process still subscribes");
        }
    }
}
