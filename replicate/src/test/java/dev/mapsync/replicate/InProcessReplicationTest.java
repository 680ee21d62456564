package dev.mapsync.replicate;

import dev.mapsync.testkit.Await;
import dev.mapsync.ArraySpec;
import dev.mapsync.Codec;
import dev.mapsync.HashSpec;
import dev.mapsync.MapLocation;
import dev.mapsync.MapSpec;
import dev.mapsync.ReplicaWriteException;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedHashMap;
import dev.mapsync.testkit.MapDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A leader and a follower in one process, each with its own folder: the protocol, without process boundaries. */
class InProcessReplicationTest {
    @RegisterExtension
    final MapDir leaderMaps = new MapDir("rl");
    @RegisterExtension
    final MapDir followerMaps = new MapDir("rf");
    @RegisterExtension
    final LeaderEnd leaderEnd = new LeaderEnd();

    @Test
    void anArrayReplicaFollowsItsLeader() throws Exception {
        String name = leaderMaps.name();
        var spec = MapSpec.array(name, Codec.i64(), 1000).dir(leaderMaps.dir());
        Path archive = leaderEnd.archive();
        String listen = leaderEnd.listen();
        MapLocation replicaAt = MapSpec.existing(name).dir(followerMaps.dir());
        try (var map = SharedArray.create(spec)) {
            for (int i = 0; i < 1000; i++) map.set(i, (long) i);
            try (Leader leader = Leader.serve(spec.location(), listen, archive);
                 Follower follower = Follower.follow(replicaAt, listen)) {
                for (int i = 0; i < 1000; i += 3) map.set(i, i * 10L);
                Await.until("the replica to equal the leader", () -> Replicas.sameArrays(map, replicaAt));
                Await.until("the follower to be live", () -> follower.status().state().equals("live"));
                assertEquals(ReplicationStatus.Role.FOLLOWER, follower.status().role());
                assertEquals(listen, follower.status().peer());
                assertEquals(ReplicationStatus.Role.LEADER, leader.status().role());
                try (var reader = SharedArray.open(MapSpec.array(name, Codec.i64(), 1000).dir(followerMaps.dir()))) {
                    var e = assertThrows(ReplicaWriteException.class, () -> reader.set(1, 5L));
                    assertEquals("map '" + name + "' is a read replica of " + listen + "; writes are refused: write on the"
                            + " leader", e.getMessage());
                }
            }
        }
    }

    @Test
    void aHashReplicaFollowsPutsAndRemoves() throws Exception {
        String name = leaderMaps.name();
        HashSpec<Long, Long> spec = HashSpec.of(name, Codec.i64(), Codec.i64(), 4096).dir(leaderMaps.dir());
        Path archive = leaderEnd.archive();
        String listen = leaderEnd.listen();
        MapLocation replicaAt = MapSpec.existing(name).dir(followerMaps.dir());
        try (var map = SharedHashMap.create(spec)) {
            for (long k = 0; k < 500; k++) map.put(k, k);
            try (Leader leader = Leader.serve(spec.location(), listen, archive);
                 Follower follower = Follower.follow(replicaAt, listen)) {
                for (long k = 0; k < 500; k += 2) map.remove(k);
                for (long k = 1000; k < 1300; k++) map.put(k, -k);
                Await.until("the replica to equal the leader", () -> Replicas.contents(spec.location()).equals(Replicas.contents(replicaAt)));
                assertEquals(550, Replicas.contents(replicaAt).size());
            }
        }
    }

    @Test
    void aFullReplicaTakesASnapshotOfEntirelyNewKeys() throws Exception {
        String name = leaderMaps.name();
        HashSpec<Long, Long> spec = HashSpec.of(name, Codec.i64(), Codec.i64(), 256).dir(leaderMaps.dir());
        Path archive = leaderEnd.archive();
        String listen = leaderEnd.listen();
        MapLocation replicaAt = MapSpec.existing(name).dir(followerMaps.dir());
        try (var map = SharedHashMap.create(spec); Follower follower = Follower.follow(replicaAt, listen)) {
            int full = fill(map, 0);
            try (Leader leader = Leader.serve(spec.location(), listen, archive)) {
                Await.until("the replica to equal the leader", () -> Replicas.contents(spec.location()).equals(Replicas.contents(replicaAt)));
            }
            // while no leader runs, every key is replaced: the restarted leader's snapshot brings only new keys, into a
            // replica that is as full as the map was
            map.clear();
            assertEquals(full, fill(map, 1_000_000));
            try (Leader leader = Leader.serve(spec.location(), listen, archive)) {
                Await.until("the replica to hold the new keys only", () -> Replicas.contents(spec.location()).equals(Replicas.contents(replicaAt)));
            }
            assertEquals(full, Replicas.contents(replicaAt).size());
            assertTrue(follower.isRunning());
        }
    }

    /** {@code replicate status}, run as soon as a serve or follow command says it started, must find the status. */
    @Test
    void theStatusFileIsThereWhenServeAndFollowReturn() throws Exception {
        var spec = smallArray();
        Path archive = leaderEnd.archive();
        String listen = leaderEnd.listen();
        MapLocation replicaAt = replicaAt();
        try (var map = SharedArray.create(spec); Leader leader = Leader.serve(spec.location(), listen, archive)) {
            var served = ReplicationStatus.of(spec.location()).orElseThrow(() -> new AssertionError("no leader status"));
            try (Follower follower = Follower.follow(replicaAt, listen)) {
                var following = ReplicationStatus.of(replicaAt).orElseThrow(() -> new AssertionError("no follower status"));
                assertEquals(List.of(ReplicationStatus.Role.LEADER, true, ProcessHandle.current().pid()),
                        List.of(served.role(), served.running(), served.pid()));
                assertEquals(List.of(ReplicationStatus.Role.FOLLOWER, listen, true),
                        List.of(following.role(), following.peer(), following.running()));
            }
        }
    }

    @Test
    void manyThreadsReadTheStatusAndCloseAtOnce() throws Exception {
        var spec = smallArray();
        Path archive = leaderEnd.archive();
        String listen = leaderEnd.listen();
        MapLocation replicaAt = replicaAt();
        try (var map = SharedArray.create(spec)) {
            Leader leader = Leader.serve(spec.location(), listen, archive);
            Follower follower = Follower.follow(replicaAt, listen);
            Await.until("the follower to be live", () -> follower.status().state().equals("live"));
            List<Thread> threads = new ArrayList<>();
            AtomicInteger failures = new AtomicInteger();
            for (int t = 0; t < 32; t++) {
                Runnable task = () -> {
                    try {
                        for (int i = 0; i < 100; i++) {
                            leader.status();
                            follower.status();
                        }
                        follower.close();
                        leader.close();
                    } catch (RuntimeException e) {
                        failures.incrementAndGet();
                    }
                };
                threads.add(t % 2 == 0 ? Thread.ofVirtual().start(task) : Thread.ofPlatform().start(task));
            }
            for (Thread t : threads) t.join();
            assertEquals(0, failures.get());
            assertEquals(List.of("stopped", "stopped"), List.of(leader.status().state(),
                    follower.status().state()));
            assertEquals(List.of(false, false), List.of(leader.isRunning(), follower.isRunning()));
        }
    }

    /**
     * A writer that never pauses: with a change log of 16 the leader misses changes all the time; with one of 65,536
     * each read of it brings tens of thousands of changes, which the snapshot must not wait behind.
     */
    @ParameterizedTest
    @ValueSource(ints = {16, 65_536})
    void aLeaderOverwhelmedByChangesStillCompletesItsSnapshots(int changelog) throws Exception {
        var spec = MapSpec.array(leaderMaps.name(), Codec.i64(), 200_000).changelogCapacity(changelog)
                .dir(leaderMaps.dir());
        Path archive = leaderEnd.archive();
        String listen = leaderEnd.listen();
        AtomicBoolean writing = new AtomicBoolean(true);
        try (var map = SharedArray.create(spec)) {
            Thread writer = Thread.ofPlatform().start(() -> {
                SplittableRandom random = new SplittableRandom(1);
                while (writing.get()) map.set(random.nextInt(200_000), random.nextLong());
            });
            try (Leader leader = Leader.serve(spec.location(), listen, archive)) {
                Await.until("two snapshots to end while the writer never pauses", () -> leader.status().snapshots() >= 2);
            } finally {
                writing.set(false);
                writer.join();
            }
        }
    }

    /** Puts keys from {@code first} on until the map refuses one; returns how many it took. */
    private static int fill(SharedHashMap<Long, Long> map, long first) {
        int n = 0;
        try {
            while (true) {
                map.put(first + n, (long) n);
                n++;
            }
        } catch (dev.mapsync.MapFullException full) {
            return n;
        }
    }

    /** A leader's array of 64 longs in the leader's folder. */
    private ArraySpec<Long> smallArray() {
        return MapSpec.array(leaderMaps.name(), Codec.i64(), 64).dir(leaderMaps.dir());
    }

    /** Where the follower keeps its replica. */
    private MapLocation replicaAt() {
        return MapSpec.existing(followerMaps.name()).dir(followerMaps.dir());
    }
}
