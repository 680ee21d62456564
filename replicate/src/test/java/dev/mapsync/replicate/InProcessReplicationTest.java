package dev.mapsync.replicate;

import dev.mapsync.Codec;
import dev.mapsync.HashSpec;
import dev.mapsync.MapLocation;
import dev.mapsync.MapSpec;
import dev.mapsync.ReplicaWriteException;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedHashMap;
import dev.mapsync.testkit.MapDir;
import dev.mapsync.testkit.UdpPorts;
import dev.mapsync.testkit.TestDirs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A leader and a follower in one process, each with its own folder: the protocol, without process boundaries. */
class InProcessReplicationTest {
    @RegisterExtension
    final MapDir leaderMaps = new MapDir("rl");
    @RegisterExtension
    final MapDir followerMaps = new MapDir("rf");

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    @Test
    void anArrayReplicaFollowsItsLeader() throws Exception {
        String name = leaderMaps.name();
        var spec = MapSpec.array(name, Codec.i64(), 1000).dir(leaderMaps.dir());
        Path archive = TestDirs.create();
        String listen = "127.0.0.1:" + UdpPorts.freePair();
        MapLocation replicaAt = MapSpec.existing(name).dir(followerMaps.dir());
        try (var map = SharedArray.create(spec)) {
            for (int i = 0; i < 1000; i++) map.set(i, (long) i);
            try (Leader leader = Leader.serve(spec.location(), listen, archive);
                 Follower follower = Follower.follow(replicaAt, listen)) {
                for (int i = 0; i < 1000; i += 3) map.set(i, i * 10L);
                await("the replica to equal the leader", () -> equalArrays(map, replicaAt));
                ReplicationStatus s = follower.status();
                await("the follower to be live", () -> follower.status().state().equals("live"));
                assertEquals(ReplicationStatus.Role.FOLLOWER, follower.status().role());
                assertEquals(listen, follower.status().peer());
                assertEquals(ReplicationStatus.Role.LEADER, leader.status().role());
                try (var reader = SharedArray.open(MapSpec.array(name, Codec.i64(), 1000).dir(followerMaps.dir()))) {
                    var e = assertThrows(ReplicaWriteException.class, () -> reader.set(1, 5L));
                    assertEquals("map '" + name + "' is a read replica of " + listen + "; writes are refused: write on the"
                            + " leader", e.getMessage());
                }
            }
        } finally {
            TestDirs.delete(archive);
        }
    }

    @Test
    void aHashReplicaFollowsPutsAndRemoves() throws Exception {
        String name = leaderMaps.name();
        HashSpec<Long, Long> spec = HashSpec.of(name, Codec.i64(), Codec.i64(), 4096).dir(leaderMaps.dir());
        Path archive = TestDirs.create();
        String listen = "127.0.0.1:" + UdpPorts.freePair();
        MapLocation replicaAt = MapSpec.existing(name).dir(followerMaps.dir());
        try (var map = SharedHashMap.create(spec)) {
            for (long k = 0; k < 500; k++) map.put(k, k);
            try (Leader leader = Leader.serve(spec.location(), listen, archive);
                 Follower follower = Follower.follow(replicaAt, listen)) {
                for (long k = 0; k < 500; k += 2) map.remove(k);
                for (long k = 1000; k < 1300; k++) map.put(k, -k);
                await("the replica to equal the leader", () -> contents(spec.location()).equals(contents(replicaAt)));
                assertEquals(550, contents(replicaAt).size());
            }
        } finally {
            TestDirs.delete(archive);
        }
    }

    static boolean equalArrays(SharedArray<Long> leader, MapLocation replicaAt) {
        try (var r = SharedArray.openReadOnly(MapSpec.array(replicaAt.name(), Codec.i64(), leader.length()).dir(replicaAt.dir()))) {
            for (int i = 0; i < leader.length(); i++) if (!leader.get(i).equals(r.get(i))) return false;
            return true;
        } catch (dev.mapsync.MapNotFoundException e) {
            return false;
        }
    }

    static Map<Object, Object> contents(MapLocation at) {
        try (var m = SharedHashMap.openReadOnly(at)) {
            Map<Object, Object> all = new TreeMap<>();
            m.forEach(all::put);
            return all;
        } catch (dev.mapsync.MapNotFoundException e) {
            return Map.of();
        }
    }
}
