package dev.mapsync;

import dev.mapsync.DeadWriteTest.Pair;
import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.testkit.CPrograms;
import dev.mapsync.testkit.Peer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * libmapsync's side of {@link DeadWriteTest}: a lock record a peer wrote while a C process holds the lock, or before
 * a C process takes it over.
 */
class CDeadWriteTest {
    @TempDir
    Path dir;

    private final String name = KernelAssumptions.uniqueName("cdead");

    /** 8 entries on 2 stripes: entries 1, 3, 5, 7 share stripe 1. */
    private ArraySpec<Pair> spec() {
        return MapSpec.array(name, Pair.class, 8).lockStripes(2).dir(dir);
    }

    private Process lockWrite(int index) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(CPrograms.testProgram("lock_write", Backend.SHM).toString(), name,
                Integer.toString(index));
        pb.environment().put("MAPSYNC_DIR", dir.toString());
        return pb.start();
    }

    private static String rest(Process p) throws Exception {
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                + new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void aSequenceMadeOddUnderALiveCOwnerIsCorruptToItsNextWrite() throws Exception {
        try (SharedArray<Pair> map = SharedArray.create(spec())) {
            map.set(3, new Pair(3, -3));
            Process p = lockWrite(3);
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", out.readLine());
            long rec = Peer.stripeRecord(1);
            int seq = Peer.getInt(map.info().file(), rec + Peer.SEQ);
            Peer.putInt(map.info().file(), rec + Peer.SEQ, seq + 1);
            p.getOutputStream().close(); // go on: write
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals("lock_write: map " + name + " is corrupt: the sequence word of the lock of entry 3 is odd ("
                    + (seq + 1) + ") while this handle holds the lock and writes nothing\n",
                    new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            assertEquals(3, p.exitValue());
            Peer.putInt(map.info().file(), rec + Peer.SEQ, seq);
            assertEquals(new Pair(3, -3), map.get(3), "nothing was written");
        }
    }

    @Test
    void anAllTornWordPastTheFirstTornSlotMarksNothingToACTakeover() throws Exception {
        try (SharedArray<Pair> map = SharedArray.create(spec())) {
            for (int i = 0; i < 8; i++) map.set(i, new Pair(i, -i));
            long rec = Peer.stripeRecord(1);
            Peer.putInt(map.info().file(), rec + Peer.TORN, 3 + 1); // entry 3 torn, as a writer that died leaves it
            Peer.putInt(map.info().file(), rec + Peer.TORN + 4, -1);
            Peer.putLong(map.info().file(), rec + Peer.SEQ, (long) (5 + 1) << 32 | 7); // a write of 5 left unfinished
            Process p = lockWrite(7);
            p.getOutputStream().close();
            assertEquals("locked\nprevious owner died\nwrote\n", rest(p));
            assertEquals(0, p.exitValue());
            assertThrows(TornEntryException.class, () -> map.get(5), "the unfinished write is marked");
            assertThrows(TornEntryException.class, () -> map.get(3));
            assertEquals(new Pair(0, 0), map.get(7), "C's write");
        }
    }

    /** A C reader given a negative timeout waits for a live writer as one given 0 does, not for ever. */
    @Test
    void aCReadWithANegativeTimeoutWaitsNoLongerThanOneOfZero() throws Exception {
        try (SharedArray<Pair> map = SharedArray.create(spec()); LockGuard held = map.lock(3)) {
            map.set(1, new Pair(1, -1));
            long rec = Peer.stripeRecord(1);
            int seq = Peer.getInt(map.info().file(), rec + Peer.SEQ);
            Peer.putInt(map.info().file(), rec + Peer.SEQ, seq + 1); // a write of this live owner in progress
            for (String timeout : new String[]{"0", "-1"}) {
                ProcessBuilder pb = new ProcessBuilder(CPrograms.testProgram("read_entry", Backend.SHM).toString(), name,
                        "1", timeout);
                pb.environment().put("MAPSYNC_DIR", dir.toString());
                Process p = pb.start();
                String out = rest(p);
                assertTrue(out.matches("read_entry: timed out after 0\\.\\d s reading entry 1 of map " + name
                        + ": a write by pid " + ProcessHandle.current().pid() + " \\(alive\\) has been in progress all"
                        + " that time\n"), timeout + ": " + out);
                assertEquals(124, p.exitValue());
            }
            Peer.putInt(map.info().file(), rec + Peer.SEQ, seq);
        }
    }
}
