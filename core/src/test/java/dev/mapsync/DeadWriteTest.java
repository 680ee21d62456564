package dev.mapsync;

import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.MapDir;
import dev.mapsync.testkit.Peer;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sequence word left odd while its lock is free: a write that faulted in a process that lived on, or a peer that
 * wrote the word. No writer can be in the middle of that write (a writer holds the lock for its whole window), so it
 * is a dead write: readers are told at once, and the next lock owner repairs it as after a killed writer.
 */
class DeadWriteTest {
    @RegisterExtension
    final MapDir maps = new MapDir("d");

    record Pair(long a, long b) {}

    private ArraySpec<Pair> spec(Backend b) {
        // 8 entries on 2 stripes: entries 1, 3, 5, 7 share stripe 1
        return Machine.on(b, MapSpec.array(maps.name(), Pair.class, 8).lockStripes(2).dir(maps.dir()));
    }

    /** Leaves stripe 1 odd, "writing" entry {@code entry} (or any word), with its lock free. */
    private void leaveAWriteUnfinished(Path file, int writing) {
        long rec = Peer.stripeRecord(1);
        Peer.putLong(file, rec + Peer.SEQ, (long) writing << 32 | 7);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void readersAreToldAtOnceAndTheNextLockOwnerRepairs(Backend b) {
        try (SharedArray<Pair> map = SharedArray.create(spec(b))) {
            for (int i = 0; i < 8; i++) map.set(i, new Pair(i, -i));
            leaveAWriteUnfinished(map.info().file(), 3 + 1);

            long start = System.nanoTime();
            TornEntryException torn = assertThrows(TornEntryException.class, () -> map.get(3));
            assertTrue(System.nanoTime() - start < 1_000_000_000L, "told at once, not after the lock timeout");
            assertEquals("entry 3 of map '" + maps.name() + "' was being written when its writer died, so it may be"
                    + " half-written; it cannot be read until a lock owner writes it again (the next lock of the entry"
                    + " reports previousOwnerDied())", torn.getMessage());
            assertEquals(new Pair(5, -5), map.get(5), "the stripe's other entries read normally");
            assertEquals(new Pair(2, -2), map.get(2), "other stripes are untouched");

            List<LockInfo> locks = map.locks();
            assertEquals(1, locks.size(), locks.toString());
            assertEquals(1, locks.getFirst().stripe());
            assertEquals(0, locks.getFirst().ownerPid());
            assertEquals(List.of(3), locks.getFirst().tornEntries());

            try (LockGuard held = map.lock(7)) {
                assertTrue(held.previousOwnerDied(), "the new owner is told to repair");
            }
            assertThrows(TornEntryException.class, () -> map.get(3), "torn until rewritten");
            map.set(3, new Pair(33, -33));
            assertEquals(new Pair(33, -33), map.get(3));
            assertEquals(List.of(), map.locks());
            try (LockGuard held = map.lock(7)) {
                assertFalse(held.previousOwnerDied());
            }
        }
    }

    /**
     * A sequence word made odd while a live owner holds the lock: no writer does that (only the holder writes it, and
     * leaves it even between its writes), so the holder's next write refuses it rather than open an even "window"
     * that readers would read through, and then leave the word odd behind it.
     */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void aSequenceMadeOddUnderALiveOwnerIsCorruptToItsNextWrite(Backend b) {
        try (SharedArray<Pair> map = SharedArray.create(spec(b))) {
            map.set(3, new Pair(3, -3));
            try (LockGuard held = map.lock(3)) {
                long rec = Peer.stripeRecord(1);
                int seq = Peer.getInt(map.info().file(), rec + Peer.SEQ);
                Peer.putInt(map.info().file(), rec + Peer.SEQ, seq + 1);
                CorruptMapException e = assertThrows(CorruptMapException.class, () -> map.set(3, new Pair(4, -4)));
                assertEquals("map '" + maps.name() + "' is corrupt: the sequence word of the lock of entry 3 (stripe 1)"
                        + " is odd (" + (seq + 1) + ") while this handle holds the lock and writes nothing", e.getMessage());
                Peer.putInt(map.info().file(), rec + Peer.SEQ, seq);
                assertEquals(new Pair(3, -3), map.get(3), "nothing was written");
            }
        }
    }

    /**
     * 0xFFFFFFFF in a torn slot after the first marks nothing (only the first slot's marks the whole stripe): a write
     * left unfinished later is still marked, and rewriting a torn entry still makes it whole.
     */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void anAllTornWordPastTheFirstTornSlotMarksNothing(Backend b) {
        try (SharedArray<Pair> map = SharedArray.create(spec(b))) {
            for (int i = 0; i < 8; i++) map.set(i, new Pair(i, -i));
            long rec = Peer.stripeRecord(1);
            Peer.putInt(map.info().file(), rec + Peer.TORN, 3 + 1); // entry 3 torn, as a writer that died leaves it
            Peer.putInt(map.info().file(), rec + Peer.TORN + 4, -1);
            Peer.putInt(map.info().file(), rec + Peer.WRITING, -1);
            leaveAWriteUnfinished(map.info().file(), 5 + 1);
            try (LockGuard held = map.lock(7)) {
                assertTrue(held.previousOwnerDied());
            }
            assertThrows(TornEntryException.class, () -> map.get(5), "the unfinished write is marked");
            assertThrows(TornEntryException.class, () -> map.get(3));
            map.set(3, new Pair(33, -33));
            assertEquals(new Pair(33, -33), map.get(3), "whole again once rewritten");
            assertEquals(List.of(5), map.locks().getFirst().tornEntries());
            assertEquals(new Pair(7, -7), map.get(7));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aWriteThatFlipsTheParityStillRepairsFirst(Backend b) {
        try (SharedArray<Pair> map = SharedArray.create(spec(b))) {
            map.set(3, new Pair(3, -3));
            leaveAWriteUnfinished(map.info().file(), 3 + 1);
            map.set(1, new Pair(1, -1)); // takes the lock, repairs, writes entry 1 in a window of its own
            assertEquals(new Pair(1, -1), map.get(1));
            assertThrows(TornEntryException.class, () -> map.get(3));
            assertEquals(new Pair(0, 0), map.get(5));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aGarbageWritingWordMarksTheWholeStripe(Backend b) {
        try (SharedArray<Pair> map = SharedArray.create(spec(b))) {
            leaveAWriteUnfinished(map.info().file(), 12345);
            // which entry the writer damaged is unknown: every entry of the stripe is suspect, the others are not
            assertThrows(TornEntryException.class, () -> map.get(5));
            assertEquals(new Pair(0, 0), map.get(4));
            try (LockGuard held = map.lock(5)) {
                assertTrue(held.previousOwnerDied());
                for (int i = 1; i < 8; i += 2) map.set(i, new Pair(i, i));
                map.declareRepaired(5);
            }
            assertEquals(new Pair(5, 5), map.get(5));
            assertEquals(List.of(), map.locks());
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void forceUnlockRepairsAnUnfinishedWriteOfAFreeLock(Backend b) {
        try (SharedArray<Pair> map = SharedArray.create(spec(b))) {
            leaveAWriteUnfinished(map.info().file(), 3 + 1);
            assertEquals("repaired the lock of entry 3 (stripe 1) of map '" + maps.name() + "': it was free, but a write of"
                    + " entry 3 was left unfinished; entry 3 is marked torn until it is written again", map.forceUnlock(3));
            assertThrows(TornEntryException.class, () -> map.get(3));
            assertEquals("the lock of entry 3 (stripe 1) of map '" + maps.name() + "' is not held",
                    assertThrows(IllegalStateException.class, () -> map.forceUnlock(3)).getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aReaderBehindALiveWriterWaitsOnlyItsOwnTimeout(Backend b) throws Exception {
        ArraySpec<Pair> spec = spec(b);
        try (SharedArray<Pair> map = SharedArray.create(spec);
             SharedArray<Pair> impatient = SharedArray.open(spec.lockTimeout(Duration.ofMillis(300)))) {
            // a live owner (this process, another handle) holds the lock while the word says a write is under way
            try (LockGuard held = map.lock(3)) {
                leaveAWriteUnfinished(map.info().file(), 3 + 1);
                long start = System.nanoTime();
                LockTimeoutException e = assertThrows(LockTimeoutException.class, () -> impatient.get(3));
                long waited = (System.nanoTime() - start) / 1_000_000;
                assertTrue(waited >= 300 && waited < 2000, "waited " + waited + " ms");
                assertTrue(e.getMessage().startsWith("timed out after 0.3 s reading entry 3 of map '" + maps.name()
                        + "': a write by pid " + ProcessHandle.current().pid() + " (alive) has been in progress"), e.getMessage());
                Peer.putLong(map.info().file(), Peer.stripeRecord(1) + Peer.SEQ, 8);
            }
        }
    }
}
