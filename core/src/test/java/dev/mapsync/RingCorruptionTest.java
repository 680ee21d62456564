package dev.mapsync;

import dev.mapsync.internal.store.Header;
import dev.mapsync.internal.ring.RingLayout;
import dev.mapsync.testkit.Peer;
import dev.mapsync.testkit.TestDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A ring whose positions or record headers another process overwrote (FORMAT.md §7.2, §7.3): positions out of order,
 * not 8-aligned, further apart than the ring holds, a record longer than what was produced. The consumer, producers
 * and the status say so at once with a CorruptMapException naming the ring and what is wrong, and never wait or spin
 * on it.
 */
class RingCorruptionTest {
    private static final long PRODUCER = Peer.CONTROL + RingLayout.PRODUCER_POSITION;
    private static final long CONSUMER = Peer.CONTROL + RingLayout.CONSUMER_POSITION;
    private static final long DATA = Header.SIZE + RingLayout.CONTROL_LENGTH;
    private static final long RESERVE_LOCK = Peer.CONTROL + RingLayout.RESERVE_LOCK;

    private Path dir;
    private String name;
    private Path file;

    @BeforeEach
    void setUp() {
        dir = TestDirs.create();
        name = "rc" + Long.toHexString(System.nanoTime());
        file = dir.resolve(name);
    }

    @AfterEach
    void tearDown() {
        TestDirs.delete(dir);
    }

    /** A ring of 4096 bytes holding records of 5, 1 and 20 bytes (16 + 16 + 32 bytes), the first one taken. */
    private void ringWithRecords() {
        try (SharedRing ring = SharedRing.create(MapSpec.ring(name, 4096).dir(dir));
             RingConsumer consumer = ring.consumer()) {
            for (String s : new String[]{"hello", "a", "0123456789abcdefghij"}) ring.offer(s.getBytes(StandardCharsets.UTF_8));
            assertEquals("hello", new String(consumer.poll(), StandardCharsets.UTF_8));
        }
        assertEquals(64, Peer.getLong(file, PRODUCER));
        assertEquals(16, Peer.getLong(file, CONSUMER));
    }

    /**
     * Runs {@code action} on the ring and expects a CorruptMapException saying {@code message}, within 5 s (where it
     * once waited its 30 s, or for ever).
     */
    private void corrupt(String message, Consumer<SharedRing> action) throws Exception {
        Throwable t = thrownWithin5s(() -> { // never a wait (30 s here), never a spin
            try (SharedRing ring = SharedRing.open(MapSpec.ring(name, 4096).dir(dir))) {
                action.accept(ring);
            }
        });
        CorruptMapException e = assertThrows(CorruptMapException.class, () -> {
            if (t != null) throw t;
        });
        assertEquals("ring '" + name + "' is corrupt: " + message, e.getMessage());
    }

    /** The consumer, a producer and the status on a ring whose positions are {@code problem}. */
    private void everyoneSays(String problem) throws Exception {
        corrupt(problem, ring -> ring.consumer().poll(Duration.ofSeconds(30)));
        corrupt(problem, ring -> {
            try (RingConsumer c = ring.consumer()) {
                c.next();
            }
        });
        corrupt(problem, ring -> ring.offer(new byte[8]));
        corrupt(problem, ring -> ring.put(new byte[8], Duration.ofSeconds(30)));
        corrupt(problem, SharedRing::status);
    }

    @Test
    void aConsumerPositionFarPastTheProducersIsCorrupt() throws Exception {
        ringWithRecords();
        Peer.putLong(file, CONSUMER, 1L << 40);
        everyoneSays("its consumer position 1099511627776 is past its producer position 64");
    }

    @Test
    void aConsumerPositionJustPastTheProducersAfterAShortRecordIsCorrupt() throws Exception {
        ringWithRecords();
        Peer.putLong(file, CONSUMER, 64 + 16); // where a short record after the last one would end
        everyoneSays("its consumer position 80 is past its producer position 64");
    }

    @Test
    void aPositionThatIsNotAMultipleOfEightIsCorrupt() throws Exception {
        ringWithRecords();
        Peer.putLong(file, CONSUMER, 19);
        everyoneSays("its consumer position 19 is not a multiple of 8");
        Peer.putLong(file, CONSUMER, 16);
        Peer.putLong(file, PRODUCER, 67);
        everyoneSays("its producer position 67 is not a multiple of 8");
    }

    @Test
    void positionsFurtherApartThanTheRingHoldsAreCorrupt() throws Exception {
        ringWithRecords();
        Peer.putLong(file, PRODUCER, 16 + 4096 + 8);
        everyoneSays("its producer position 4120 is more than its capacity (4096 bytes) past its consumer position 16");
    }

    @Test
    void aRecordLongerThanWhatWasProducedAfterItIsCorrupt() throws Exception {
        ringWithRecords();
        // the record at 16 ("a", 16 bytes) claims 41 bytes: 56 with its header, past the producer position 64
        Peer.putInt(file, DATA + 16, 41);
        corrupt("the record at position 16 says 41 bytes, more than were produced after it (the producer position is 64)",
                ring -> ring.consumer().poll(Duration.ofSeconds(30)));
        corrupt("the record at position 16 says 41 bytes, more than were produced after it (the producer position is 64)",
                ring -> ring.consumer().drain(p -> { }, 10));
    }

    @Test
    void aClaimedRecordOfADeadClaimerLongerThanWhatWasProducedIsCorrupt() throws Exception {
        ringWithRecords();
        // BUSY, DISCARD and every length bit, claimed by a token no live handle has: once it was zeroed out of bounds
        Peer.putLong(file, DATA + 16, 0x0000_0400_FFFF_FFFFL);
        corrupt("the record at position 16 says 1073741823 bytes, more than were produced after it (the producer"
                + " position is 64)", ring -> ring.consumer().poll(Duration.ofSeconds(30)));
    }

    @Test
    void aProducerPositionPastTheConsumersWithNoRecordThereIsCorrupt() throws Exception {
        ringWithRecords();
        Peer.putLong(file, DATA + 16, 0); // the record the producer position says is there
        String problem = "its producer position 64 is past its consumer position 16, but there is no record at it";
        corrupt(problem, ring -> ring.consumer().poll(Duration.ofSeconds(30)));
        corrupt(problem, ring -> {
            try (RingConsumer c = ring.consumer()) {
                for (int i = 0; i < 100; i++) c.next(); // a consumer that polls without sleeping finds out too
            }
        });
    }

    /**
     * A producer position moved back onto a record not yet read: a claim there would overwrite it, and the record
     * would be lost without a word. Free space is zero, so the claim finds a header where there should be none.
     */
    @Test
    void aProducerPositionMovedBackOntoARecordIsCorruptToTheNextClaim() throws Exception {
        ringWithRecords();
        Peer.putLong(file, PRODUCER, 32); // the last record, 20 bytes at 32, not read yet
        String problem = "its producer position 32 is not on free space: a record of 20 bytes is there";
        corrupt(problem, ring -> ring.offer(new byte[8]));
        corrupt(problem, ring -> ring.put(new byte[8], Duration.ofSeconds(30)));
    }

    /**
     * A peer that writes a live handle's token into the reserve lock (FORMAT.md §7.4) holds it for ever: no holder
     * releases it, and a live one's lock is never taken over. Claims, offers, puts and seals then end at their own
     * timeout with a LockTimeoutException naming the holder, on the handle whose token it is too (they waited for ever).
     */
    @Test
    void aReserveLockAPeerWroteALiveTokenIntoEndsEveryClaimAtItsTimeout() throws Exception {
        ringWithRecords();
        RingSpec spec = MapSpec.ring(name, 4096).dir(dir).lockTimeout(Duration.ofMillis(200));
        try (SharedRing holder = SharedRing.open(spec); SharedRing other = SharedRing.open(spec)) {
            int token;
            try (RingClaim claim = holder.tryClaim(0)) { // its header's second word is the holder's token
                token = Peer.getInt(file, DATA + claim.position() + 4);
                claim.commit();
            }
            Peer.putInt(file, RESERVE_LOCK, token);
            for (SharedRing ring : new SharedRing[]{holder, other}) {
                heldByThisProcess(() -> ring.offer(new byte[8]));
                heldByThisProcess(() -> ring.tryClaim(8));
                heldByThisProcess(() -> ring.put(new byte[8], Duration.ofMillis(300)));
                heldByThisProcess(() -> ring.claim(8, Duration.ofMillis(300)));
                heldByThisProcess(ring::seal);
            }
            assertEquals(token, Peer.getInt(file, RESERVE_LOCK));
            assertEquals(0, Peer.getInt(file, RESERVE_LOCK + 4), "not sealed");
        }
    }

    /** Runs {@code action} and expects it to time out, within 5 s, on a reserve lock held by this process. */
    private void heldByThisProcess(Runnable action) throws Exception {
        Throwable t = thrownWithin5s(action);
        LockTimeoutException e = assertThrows(LockTimeoutException.class, () -> {
            if (t != null) throw t;
        });
        long pid = ProcessHandle.current().pid();
        assertTrue(e.getMessage().matches("timed out after \\d+\\.\\d s waiting for the reserve lock of ring '" + name
                + "': held by pid " + pid + " \\(alive\\)"), e.getMessage());
        assertEquals(pid, e.ownerPid());
        assertTrue(e.ownerAlive());
        assertTrue(e.heldFor().isEmpty());
    }

    /**
     * What {@code action} threw (null if nothing), run in a thread of its own so that a hung one does not hold up the
     * next; fails if it takes more than 5 s.
     */
    private static Throwable thrownWithin5s(Runnable action) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                action.run();
                return null;
            } catch (Throwable t) {
                return t;
            }
        }, r -> Thread.ofPlatform().daemon().start(r)).get(5, TimeUnit.SECONDS);
    }
}
