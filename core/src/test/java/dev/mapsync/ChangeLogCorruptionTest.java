package dev.mapsync;

import dev.mapsync.internal.store.ControlLayout;
import dev.mapsync.testkit.Await;
import dev.mapsync.testkit.MapDir;
import dev.mapsync.testkit.Peer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A change log that another process wrote behind the protocol's back (FORMAT.md §4.3): a change of an entry the map
 * does not have, a head that went back, entries reserved and never published. A subscriber is told the map is corrupt,
 * or counts the changes as missed, at once: it never delivers an index no entry has, and never waits a second per
 * entry.
 */
class ChangeLogCorruptionTest {
    @RegisterExtension
    final MapDir maps = new MapDir("cl");

    private static final long HEAD = Peer.CONTROL + ControlLayout.EVENT_BLOCK;

    private ArraySpec<Long> spec() {
        return MapSpec.array(maps.name(), Codec.i64(), 16).dir(maps.dir()).changelogCapacity(64);
    }

    private Path file() {
        return maps.dir().resolve(maps.name());
    }

    /** The file offset of the change log entry of change {@code seq} (64 entries, 16 lock stripes). */
    private static long entry(long seq) {
        return Peer.stripeRecord(16) + ((seq - 1) & 63) * ControlLayout.CHANGELOG_ENTRY_SIZE;
    }

    /** Records change {@code head + 1} as a peer would: its entry (key, pid, kind, then seq), then the head. */
    private void forge(long seq, int key) {
        Peer.putInt(file(), entry(seq) + 8, key);
        Peer.putInt(file(), entry(seq) + 12, 1);
        Peer.putInt(file(), entry(seq) + 16, 1);
        Peer.putLong(file(), entry(seq), seq);
        Peer.putLong(file(), HEAD, seq);
    }

    @Test
    void aChangeOfAnEntryTheMapDoesNotHaveIsCorruptNotDelivered() {
        try (SharedArray<Long> map = SharedArray.create(spec());
             ChangeCursor changes = map.changes()) {
            map.set(3, 1L);
            assertEquals(1, changes.poll(Duration.ofSeconds(1)).size());
            forge(2, 1000);
            CorruptMapException e = assertThrows(CorruptMapException.class, () -> changes.poll(Duration.ofSeconds(1)));
            assertEquals("map '" + maps.name() + "' is corrupt: change 2 of its change log names entry 1000, and it has"
                    + " entries 0..15", e.getMessage());
            forge(3, -1);
            assertThrows(CorruptMapException.class, () -> changes.poll(Duration.ofSeconds(1)));
        }
    }

    @Test
    void aHeadThatWentBackIsCorrupt() {
        try (SharedArray<Long> map = SharedArray.create(spec());
             ChangeCursor changes = map.changes()) {
            for (long v = 1; v <= 5; v++) map.set(3, v);
            assertEquals(5, changes.poll(Duration.ofSeconds(1)).size());
            Peer.putLong(file(), HEAD, 2); // changes 3.. would be recorded again, and this cursor would skip them
            CorruptMapException e = assertThrows(CorruptMapException.class, () -> changes.poll(Duration.ofSeconds(1)));
            assertEquals("map '" + maps.name() + "' is corrupt: its change log's head went back from 5 to 2", e.getMessage());
        }
    }

    /** A head moved back before a cursor subscribes: the changes after it were published already, not new. */
    @Test
    void aHeadBehindItsPublishedChangesIsCorruptToANewCursor() {
        try (SharedArray<Long> map = SharedArray.create(spec())) {
            try (ChangeCursor first = map.changes()) {
                for (long v = 1; v <= 5; v++) map.set(3, v);
                assertEquals(5, first.poll(Duration.ofSeconds(1)).size());
            }
            Peer.putLong(file(), HEAD, 0);
            CorruptMapException behind = assertThrows(CorruptMapException.class, map::changes);
            assertEquals("map '" + maps.name() + "' is corrupt: its change log holds change 1, published, past its head"
                    + " 0", behind.getMessage());
            Peer.putLong(file(), HEAD, -1);
            CorruptMapException negative = assertThrows(CorruptMapException.class, map::changes);
            assertEquals("map '" + maps.name() + "' is corrupt: its change log's head is -1", negative.getMessage());
            Peer.putLong(file(), HEAD, 5);
            try (ChangeCursor again = map.changes()) {
                map.set(3, 6L);
                List<ChangeEvent> events = again.poll(Duration.ofSeconds(1));
                assertEquals(1, events.size(), events.toString());
                assertTrue(events.getFirst() instanceof Change c && c.seq() == 6, events.toString());
            }
        }
    }

    @Test
    void entriesReservedAndNeverPublishedCostOneWaitNotOneEach() {
        try (SharedArray<Long> map = SharedArray.create(spec());
             ChangeCursor changes = map.changes()) {
            map.set(3, 1L);
            assertEquals(1, changes.poll(Duration.ofSeconds(1)).size());
            // a peer moved the head 40 changes on and published none of them: each one's writer seems to be between
            // reserving it and publishing it, for which a reader waits a moment, once
            Peer.putLong(file(), HEAD, 41);
            long start = System.nanoTime();
            List<ChangeEvent> events = changes.poll(Duration.ofSeconds(3));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(List.of(new MissedChanges(2, 40)), events);
            assertTrue(millis < 5_000, "took " + millis + " ms (once a second per entry)");
            map.set(4, 2L);
            List<ChangeEvent> after = changes.poll(Duration.ofSeconds(1));
            assertEquals(1, after.size(), after.toString());
            assertTrue(after.getFirst() instanceof Change c && c.key() == 4 && c.seq() == 42, after.toString());
        }
    }

    /**
     * A poll waits for a change reserved and not yet published no longer than its own timeout (it once waited its
     * second whatever the timeout): it stops there, and the wait of a second goes on in the next polls, after which the
     * change counts as missed.
     */
    @Test
    void aChangeReservedAndNotPublishedKeepsNoPollPastItsTimeout() {
        try (SharedArray<Long> map = SharedArray.create(spec());
             ChangeCursor changes = map.changes()) {
            map.set(3, 1L);
            assertEquals(1, changes.poll(Duration.ofSeconds(1)).size());
            Peer.putLong(file(), HEAD, 6); // changes 2..6 reserved, none published
            for (Duration timeout : List.of(Duration.ZERO, Duration.ofMillis(100))) {
                long start = System.nanoTime();
                assertEquals(List.of(), changes.poll(timeout));
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertTrue(millis < timeout.toMillis() + 400, "a poll of " + timeout + " took " + millis + " ms");
            }
            assertEquals(List.of(new MissedChanges(2, 5)), changes.poll(Duration.ofSeconds(5)));
            assertEquals(5, map.syncStatus().missedChanges());
            map.set(4, 2L);
            List<ChangeEvent> after = changes.poll(Duration.ofSeconds(1));
            assertTrue(after.size() == 1 && after.getFirst() instanceof Change c && c.key() == 4 && c.seq() == 7,
                    after.toString());
        }
    }

    /**
     * A change a poll stopped at that then comes (its writer was slow, not gone) gives the changes after it a wait of
     * their own: one reserved while no one polled, a second after the first stop, is not counted missed at once.
     */
    @Test
    void aChangeHeldBackThatComesGivesTheChangesAfterItAWaitOfTheirOwn() {
        try (SharedArray<Long> map = SharedArray.create(spec());
             ChangeCursor changes = map.changes()) {
            map.set(3, 1L);
            assertEquals(1, changes.poll(Duration.ofSeconds(1)).size());
            Peer.putLong(file(), HEAD, 2); // change 2 reserved by a slow writer
            long stopped = System.nanoTime();
            assertEquals(List.of(), changes.poll(Duration.ZERO));
            awaitTheSecondAPassWaits(stopped);
            forge(2, 5); // the slow writer publishes it
            Peer.putLong(file(), HEAD, 3); // and another writer has just reserved change 3
            List<ChangeEvent> events = changes.poll(Duration.ofMillis(100));
            assertTrue(events.size() == 1 && events.getFirst() instanceof Change c && c.key() == 5 && c.seq() == 2,
                    events.toString());
            assertEquals(List.of(), changes.poll(Duration.ofMillis(100)), "change 3 waited for, not missed");
            assertEquals(0, map.syncStatus().missedChanges());
        }
    }

    /**
     * Changes held back that never come cost one second for the run of them, not one each: the one a poll stopped at
     * gives the ones after it no second of their own when it is counted missed.
     */
    @Test
    void changesHeldBackThatNeverComeCostOneSecondForTheRunOfThem() {
        try (SharedArray<Long> map = SharedArray.create(spec());
             ChangeCursor changes = map.changes()) {
            map.set(3, 1L);
            assertEquals(1, changes.poll(Duration.ofSeconds(1)).size());
            Peer.putLong(file(), HEAD, 4); // changes 2, 3 and 4 reserved by writers that died before publishing
            long stopped = System.nanoTime();
            assertEquals(List.of(), changes.poll(Duration.ZERO));
            awaitTheSecondAPassWaits(stopped);
            assertEquals(List.of(new MissedChanges(2, 3)), changes.poll(Duration.ofMillis(100)));
            assertEquals(3, map.syncStatus().missedChanges());
        }
    }

    /** Waits until the second a pass over the log waits for changes held back has passed since {@code stopped}. */
    static void awaitTheSecondAPassWaits(long stopped) {
        Await.until("the second a pass waits for a change to have passed", () -> System.nanoTime() - stopped > 1_200_000_000L);
    }
}
