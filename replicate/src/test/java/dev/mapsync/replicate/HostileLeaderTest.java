package dev.mapsync.replicate;

import dev.mapsync.testkit.Await;
import dev.mapsync.Codec;
import dev.mapsync.MapLocation;
import dev.mapsync.MapSpec;
import dev.mapsync.HashSpec;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedHashMap;
import dev.mapsync.replicate.internal.map.Replica;
import dev.mapsync.replicate.internal.wire.CorruptMessageException;
import dev.mapsync.replicate.internal.wire.Message;
import dev.mapsync.replicate.internal.wire.Shape;
import dev.mapsync.launch.UdpPorts;
import dev.mapsync.testkit.MapDir;
import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.protocol.DataHeaderFlyweight;
import io.aeron.protocol.HeaderFlyweight;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteOrder;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A "leader" that sends what no leader sends: the follower stops with a failure that says what was wrong and its
 * status says so; entries that do not fit the replica are refused before anything of them is written.
 */
class HostileLeaderTest {
    @RegisterExtension
    final MapDir maps = new MapDir("hl");
    @RegisterExtension
    final LeaderEnd leaderEnd = new LeaderEnd();

    /** Publishes {@code message} on the live stream's channel until the follower has stopped. */
    private void sendUntilStopped(String listen, UnsafeBuffer message, int length, Follower follower) throws Exception {
        String dir = "/dev/shm/mapsync-aeron-" + ProcessHandle.current().pid() + "-hostile-" + System.nanoTime();
        try (MediaDriver driver = MediaDriver.launch(new MediaDriver.Context().aeronDirectoryName(dir)
                .threadingMode(ThreadingMode.SHARED).dirDeleteOnStart(true).dirDeleteOnShutdown(true));
             Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir));
             Publication pub = aeron.addPublication("aeron:udp?control=" + listen + "|control-mode=dynamic", 1001)) {
            Await.until("the follower to stop", () -> {
                pub.offer(message, 0, length);
                return !follower.isRunning();
            });
        }
    }

    @Test
    void aMessageOfAnUnknownTypeStopsTheFollowerAndSaysWhy() throws Exception {
        String listen = "127.0.0.1:" + UdpPorts.freePair();
        MapLocation at = MapSpec.existing(maps.name()).dir(maps.dir());
        UnsafeBuffer garbage = new UnsafeBuffer(new byte[64]);
        garbage.putByte(0, (byte) 77);
        try (Follower follower = Follower.follow(at, listen)) {
            sendUntilStopped(listen, garbage, 48, follower);
            assertEquals("message type 77 is unknown", follower.failure().getMessage());
            assertEquals("failed: message type 77 is unknown", follower.status().state());
            assertFalse(follower.status().running());
        }
    }

    @Test
    void aMessageThatNeverEndsStopsTheFollowerOnceItIsLongerThanAnyALeaderSends() throws Exception {
        String listen = "127.0.0.1:" + UdpPorts.freePair();
        MapLocation at = MapSpec.existing(maps.name()).dir(maps.dir());
        String dir = "/dev/shm/mapsync-aeron-" + ProcessHandle.current().pid() + "-hostile-" + System.nanoTime();
        try (Follower follower = Follower.follow(at, listen);
             MediaDriver driver = MediaDriver.launch(new MediaDriver.Context().aeronDirectoryName(dir)
                     .threadingMode(ThreadingMode.SHARED).dirDeleteOnStart(true).dirDeleteOnShutdown(true));
             Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir));
             ExclusivePublication pub = aeron.addExclusivePublication(
                     "aeron:udp?control=" + listen + "|control-mode=dynamic|term-length=1m", 1001)) {
            UnsafeBuffer block = new UnsafeBuffer(new byte[64 << 10]);
            boolean[] begun = {false};
            Await.until("the follower to stop", () -> {
                // a first fragment, then middle ones for ever: a message that never ends
                writeFragments(block, pub, begun[0] ? 0 : FrameDescriptor.BEGIN_FRAG_FLAG);
                if (pub.offerBlock(block, 0, block.capacity()) > 0) begun[0] = true;
                return !follower.isRunning();
            });
            String why = "a message longer than 1048576 bytes, the most a leader sends";
            assertEquals(why, assertInstanceOf(CorruptMessageException.class, follower.failure()).getMessage());
            assertEquals("failed: " + why, follower.status().state());
            assertFalse(follower.status().running());
        }
    }

    /** Fills {@code block} with data frames of 1 KiB where {@code pub} appends next, the first with {@code flags}. */
    private static void writeFragments(UnsafeBuffer block, ExclusivePublication pub, byte flags) {
        DataHeaderFlyweight frame = new DataHeaderFlyweight();
        // a full term: the block goes at the start of the next one
        boolean full = pub.termOffset() == pub.termBufferLength();
        int termOffset = full ? 0 : pub.termOffset(), termId = full ? pub.termId() + 1 : pub.termId();
        for (int at = 0; at < block.capacity(); at += 1024) {
            frame.wrap(block, at, 1024);
            frame.frameLength(1024).version(HeaderFlyweight.CURRENT_VERSION)
                    .flags(at == 0 ? flags : 0).headerType(HeaderFlyweight.HDR_TYPE_DATA);
            frame.termOffset(termOffset + at).sessionId(pub.sessionId()).streamId(pub.streamId())
                    .termId(termId).reservedValue(0);
        }
    }

    @Test
    void entriesThatDoNotFitTheReplicaAreRefusedAndChangeNothing() {
        var spec = MapSpec.array(maps.name(), Codec.i64(), 8).dir(maps.dir());
        Shape shape = new Shape(false, 8, 64, 8, "", "i64");
        try (Replica replica = Replica.openOrCreate(spec.location(), shape)) {
            UnsafeBuffer entry = new UnsafeBuffer(new byte[64]);
            int at = Message.header(entry, Message.ENTRY, 4, 1, 99, 0);
            entry.putInt(at, 2, ByteOrder.LITTLE_ENDIAN);
            entry.putLong(at + 4, 20L, ByteOrder.LITTLE_ENDIAN);
            replica.apply(entry, Message.Header.read(entry, 0, at + 12));
            assertEquals("an entry of 4 + 12 bytes for an array of 8-byte values", assertThrows(CorruptMessageException.class,
                    () -> replica.apply(entry, Message.Header.read(entry, 0, at + 16))).getMessage());
            entry.putInt(at, 8, ByteOrder.LITTLE_ENDIAN);
            assertEquals("entry 8 of an array of 8", assertThrows(CorruptMessageException.class,
                    () -> replica.apply(entry, Message.Header.read(entry, 0, at + 12))).getMessage());
            entry.putInt(at, -1, ByteOrder.LITTLE_ENDIAN);
            assertThrows(CorruptMessageException.class, () -> replica.apply(entry, Message.Header.read(entry, 0, at + 12)));
            int absent = Message.header(entry, Message.ABSENT, 4, 2, 99, 0);
            assertEquals("an array has no absent keys", assertThrows(CorruptMessageException.class,
                    () -> replica.apply(entry, Message.Header.read(entry, 0, absent + 4))).getMessage());
        }
        try (var replica = SharedArray.openReadOnly(spec)) {
            assertEquals(20L, replica.get(2));
            for (int i = 0; i < 8; i++) if (i != 2) assertEquals(0L, replica.get(i));
        }
    }

    @Test
    void aSnapshotOfAnotherShapeStopsTheFollowerAndSaysWhatDiffers() throws Exception {
        MapLocation at = MapSpec.existing(maps.name()).dir(maps.dir());
        try (RecordedHostileLeader leader = new RecordedHostileLeader(leaderEnd.listen(), leaderEnd.archive());
             Follower follower = Follower.follow(at, leaderEnd.listen())) {
            leader.snapshotBegin(new Shape(false, 8, 64, 8, "", "i64"));
            leader.entry(2, 20);
            leader.snapshotEnd(8);
            leader.snapshotBegin(new Shape(false, 8, 64, 4, "", "i64"));
            leader.entry(3, 30);
            leader.heartbeatUntil("the follower to stop", () -> !follower.isRunning());
            String why = "the leader's map now has 4 lock stripes, and the replica 8: delete the replica (mapsync rm "
                    + maps.name() + ") and follow again";
            assertEquals(why, assertInstanceOf(IllegalStateException.class, follower.failure()).getMessage());
            assertEquals("failed: " + why, follower.status().state());
            assertFalse(follower.status().running());
        }
        assertArrayHolds(MapSpec.array(maps.name(), Codec.i64(), 8).dir(maps.dir()).replica(), 2, 20L);
    }

    @Test
    void anAbsentKeyWithBytesAfterItIsRefusedAndChangesNothing() {
        var spec = HashSpec.of(maps.name(), Codec.i64(), Codec.i64(), 16).dir(maps.dir());
        try (Replica replica = Replica.openOrCreate(spec.location(), new Shape(true, 16, 64, 8, "i64", "i64"))) {
            UnsafeBuffer message = new UnsafeBuffer(new byte[64]);
            int at = Message.header(message, Message.ENTRY, 8, 1, 99, 0);
            message.putLong(at, 5L, ByteOrder.LITTLE_ENDIAN);
            message.putLong(at + 8, 50L, ByteOrder.LITTLE_ENDIAN);
            replica.apply(message, Message.Header.read(message, 0, at + 16));
            Message.header(message, Message.ABSENT, 8, 2, 99, 0);
            assertEquals("an absent key of 8 + 4 bytes for a map of 8-byte keys", assertThrows(
                    CorruptMessageException.class,
                    () -> replica.apply(message, Message.Header.read(message, 0, at + 12))).getMessage());
        }
        try (var replica = SharedHashMap.openReadOnly(spec.replica())) {
            Map<Long, Long> held = new java.util.HashMap<>();
            replica.forEach(held::put);
            assertEquals(Map.of(5L, 50L), held);
        }
    }

    @Test
    void absentKeysDuringASnapshotAreNotRememberedSoTheyTakeNoMemory() {
        var spec = HashSpec.of(maps.name(), Codec.i64(), Codec.i64(), 16).dir(maps.dir());
        try (Replica replica = Replica.openOrCreate(spec.location(), new Shape(true, 16, 64, 8, "i64", "i64"))) {
            UnsafeBuffer message = new UnsafeBuffer(new byte[64]);
            replica.beginSnapshot();
            for (long key = 1; key <= 10_000; key++) {
                int at = Message.header(message, Message.ABSENT, 8, key, 99, 0);
                message.putLong(at, key, ByteOrder.LITTLE_ENDIAN);
                replica.apply(message, Message.Header.read(message, 0, at + 8));
            }
            assertEquals(0, replica.keysRemembered());
            int at = Message.header(message, Message.ENTRY, 8, 10_001, 99, 0);
            message.putLong(at, 5L, ByteOrder.LITTLE_ENDIAN);
            message.putLong(at + 8, 50L, ByteOrder.LITTLE_ENDIAN);
            replica.apply(message, Message.Header.read(message, 0, at + 16));
            assertEquals(1, replica.keysRemembered());
            assertEquals(0, replica.endSnapshot());
        }
        try (var replica = SharedHashMap.openReadOnly(spec.replica())) {
            assertEquals(50L, replica.get(5L));
            assertEquals(1, replica.size());
        }
    }

    /** Checks that the array at {@code spec} holds {@code value} at {@code index} and 0 everywhere else. */
    private static void assertArrayHolds(dev.mapsync.ArraySpec<Long> spec, int index, long value) {
        try (var replica = SharedArray.openReadOnly(spec)) {
            for (int i = 0; i < replica.length(); i++) {
                assertEquals(i == index ? value : 0L, replica.get(i), "entry " + i);
            }
        }
    }
}
