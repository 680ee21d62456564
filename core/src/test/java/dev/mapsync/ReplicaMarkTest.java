package dev.mapsync;

import dev.mapsync.testkit.MapDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A read replica (the header flag a follower sets): every handle but the follower's refuses writes and locks,
 * naming the leader its status file records; reads, subscriptions and the description work as on any map; and a
 * follower never takes over a map of this host.
 */
class ReplicaMarkTest {
    @RegisterExtension
    final MapDir maps = new MapDir("rm");

    private void recordLeader(Path mapFile, String leader) throws Exception {
        Files.writeString(mapFile.resolveSibling(mapFile.getFileName() + ".replication"),
                "role=follower\nleader=" + leader + "\n");
    }

    @Test
    void anArrayReplicaRefusesEveryWriteButTheFollowers() throws Exception {
        ArraySpec<Long> spec = MapSpec.array(maps.name(), Codec.i64(), 8).dir(maps.dir());
        try (var follower = SharedArray.create(spec.replica())) {
            recordLeader(spec.location().file(), "10.0.0.1:7400");
            follower.set(3, 33L);
            try (var reader = SharedArray.open(spec); ChangeCursor cursor = reader.changes()) {
                assertEquals(33L, reader.get(3));
                assertFalse(reader.isReadOnly());
                var e = assertThrows(ReplicaWriteException.class, () -> reader.set(3, 1L));
                assertEquals("map '" + maps.name() + "' is a read replica of 10.0.0.1:7400; writes are refused:"
                        + " write on the leader", e.getMessage());
                assertEquals("10.0.0.1:7400", e.leader());
                assertEquals("map '" + maps.name() + "' is a read replica of 10.0.0.1:7400; writes and their locks are"
                        + " refused: write on the leader", assertThrows(ReplicaWriteException.class, () -> reader.lock(3)).getMessage());
                assertThrows(ReplicaWriteException.class, () -> reader.tryLock(3));
                assertThrows(ReplicaWriteException.class, () -> reader.lockMap());
                assertThrows(ReplicaWriteException.class, () -> reader.longs().getAndAdd(3, 1));
                assertThrows(ReplicaWriteException.class, () -> reader.update(3, v -> v + 1));
                assertEquals(33L, reader.get(3));
                follower.set(4, 44L);
                List<ChangeEvent> seen = cursor.poll(Duration.ofSeconds(10));
                assertEquals(1, seen.size());
                assertEquals(4, ((Change) seen.get(0)).key());
                assertEquals("10.0.0.1:7400", reader.info().details().get("replica of"));
            }
            try (var again = SharedArray.open(spec.replica())) {
                again.set(5, 55L); // the follower's own handle, reopened after a restart, writes
                assertEquals(55L, again.get(5));
            }
        }
    }

    @Test
    void aHashReplicaRefusesWritesAndLocks() throws Exception {
        HashSpec<Integer, Long> spec = HashSpec.of(maps.name(), Codec.i32(), Codec.i64(), 64).dir(maps.dir());
        try (var follower = SharedHashMap.create(spec.replica())) {
            follower.put(1, 10L);
            try (var reader = SharedHashMap.open(spec)) {
                assertEquals(10L, reader.get(1));
                // no status file: the replica still refuses, and says it cannot name the leader
                var e = assertThrows(ReplicaWriteException.class, () -> reader.put(1, 11L));
                assertEquals("map '" + maps.name() + "' is a read replica of a map on another host; writes are"
                        + " refused: write on the leader", e.getMessage());
                assertEquals("", e.leader());
                assertThrows(ReplicaWriteException.class, () -> reader.remove(1));
                assertThrows(ReplicaWriteException.class, () -> reader.getAndAdd(1, 1));
                assertThrows(ReplicaWriteException.class, () -> reader.clear());
                assertThrows(ReplicaWriteException.class, () -> reader.lock(1));
                assertEquals(10L, reader.get(1));
                assertEquals(1, reader.size());
            }
        }
    }

    @Test
    void aFollowerDoesNotTakeOverAMapOfThisHost() {
        ArraySpec<Long> spec = MapSpec.array(maps.name(), Codec.i64(), 8).dir(maps.dir());
        try (var local = SharedArray.create(spec)) {
            local.set(0, 7L);
            var e = assertThrows(IncompatibleMapException.class, () -> SharedArray.open(spec.replica()));
            assertEquals("map '" + maps.name() + "' is a map of this host, not a read replica: a follower does not"
                    + " overwrite it (delete it with mapsync rm, or follow the leader into another name)", e.getMessage());
            assertEquals(7L, local.get(0));
        }
    }

    @Test
    void anUnreadableOrForgedStatusFileNamesNoLeader() throws Exception {
        ArraySpec<Long> spec = MapSpec.array(maps.name(), Codec.i64(), 8).dir(maps.dir());
        try (var follower = SharedArray.create(spec.replica())) {
            recordLeader(spec.location().file(), "evil\u001b[2J host");
            try (var reader = SharedArray.open(spec)) {
                assertEquals("", assertThrows(ReplicaWriteException.class, () -> reader.set(0, 1L)).leader());
            }
        }
    }

    @Test
    void aCProgramOpensAReplicaReadOnlyOnly() throws Exception {
        ArraySpec<Long> spec = MapSpec.array(maps.name(), Codec.i64(), 8).dir(maps.dir());
        try (var follower = SharedArray.create(spec.replica())) {
            follower.set(6, -66L);
            var run = dev.mapsync.testkit.CPrograms.run(java.util.Map.of(), List.of(
                    dev.mapsync.testkit.CPrograms.testProgram("replica_read", Backend.SHM).toString(),
                    spec.location().file().toString(), "6"));
            assertEquals(0, run.exit(), run.toString());
            assertEquals("rw: 30 (exit 4) map " + spec.location().file() + " is a read replica of a map on another host: open it"
                    + " read-only (MAPSYNC_READ_ONLY), and write on the leader\nro: -66\n", run.out());
        }
    }

    @Test
    void aPythonProgramIsRefusedAReadWriteOpenAsJavaIsAndReadsTheReplica() {
        ArraySpec<Long> spec = MapSpec.array(maps.name(), Codec.i64(), 8).dir(maps.dir());
        try (var follower = SharedArray.create(spec.replica())) {
            follower.set(6, -66L);
            var run = dev.mapsync.testkit.PythonClient.run(maps.dir(), "open_replica", maps.name(), 6);
            assertEquals(0, run.exit(), run.toString());
            assertEquals("rw: ReplicaWrite (MapAccessDenied: True) map " + maps.name() + " is a read replica of"
                    + " a map on another host: open it read-only (MAPSYNC_READ_ONLY), and write on the leader\nro: -66\n",
                    run.out());
        }
    }

    @Test
    void flagsNoWriterSetsMakeTheMapCorrupt() throws Exception {
        var queueSpec = MapSpec.queue(maps.name("q"), Codec.i64(), 64).dir(maps.dir());
        ArraySpec<Long> arraySpec = MapSpec.array(maps.name(), Codec.i64(), 8).dir(maps.dir());
        try (var queue = SharedQueue.create(queueSpec); var array = SharedArray.create(arraySpec)) {
            setFlags(arraySpec.location().file(), 2);
            assertEquals("map '" + maps.name() + "' is corrupt: header flags 0x2 have bits no writer sets (bit 0, a read"
                    + " replica, is the only flag)", assertThrows(CorruptMapException.class,
                    () -> SharedArray.open(arraySpec)).getMessage());
            setFlags(queueSpec.location().file(), 1);
            assertEquals("map '" + maps.name("q") + "' is corrupt: its header marks a ring map as a read replica, which"
                    + " only arrays and hash maps are", assertThrows(CorruptMapException.class,
                    () -> SharedQueue.open(queueSpec)).getMessage());
        }
    }

    private static void setFlags(Path file, int flags) throws Exception {
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, flags), 44);
        }
    }
}
