package dev.mapsync.replicate;

import dev.mapsync.testkit.Await;
import dev.mapsync.Backend;
import dev.mapsync.Codec;
import dev.mapsync.HashSpec;
import dev.mapsync.MapLocation;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedHashMap;
import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.MapDir;
import dev.mapsync.testkit.TestDirs;
import dev.mapsync.testkit.TestJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A leader and a follower on two hosts (network namespaces joined by a veth pair) over a link that loses packets:
 * loss delays the replica, never corrupts it. The map's writer is a third process on the leader's side.
 */
class ReplicationNetworkTest {
    @RegisterExtension
    final MapDir leaderMaps = new MapDir("nl");
    @RegisterExtension
    final MapDir followerMaps = new MapDir("nf");

    private static ChildJvm start(List<String> host, String... args) {
        ChildJvm child = TestJvm.of(ReplicationChild.class).prefix(host)
                .jvmOptions("--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED").args(args).start();
        child.awaitLine(args[0].equals("leader") ? "serving" : "following", 60);
        return child;
    }

    @Test
    void aLossyLinkDelaysTheReplicaButNeverCorruptsIt() {
        HashSpec<Long, Long> spec = HashSpec.of(leaderMaps.name(), Codec.i64(), Codec.i64(), 20_000).dir(leaderMaps.dir());
        MapLocation replica = MapSpec.existing(followerMaps.name()).dir(followerMaps.dir());
        Path archive = TestDirs.create();
        try (TwoHosts hosts = TwoHosts.make(5); var map = SharedHashMap.create(spec)) {
            System.out.println("ReplicationNetworkTest: " + hosts.loss);
            String listen = hosts.leaderAddress + ":" + 7400;
            SplittableRandom random = new SplittableRandom(3);
            for (long k = 0; k < 5000; k++) map.put(k, random.nextLong());
            try (ChildJvm leader = start(hosts.onLeader(), "leader", leaderMaps.dir().toString(), leaderMaps.name(), "shm",
                         listen, archive.toString(), "1000000");
                 ChildJvm follower = start(hosts.onFollower(), "follower", followerMaps.dir().toString(),
                         followerMaps.name(), "shm", listen)) {
                // changes while the follower is live, and more than the snapshot: both paths cross the lossy link
                for (int n = 0; n < 30_000; n++) {
                    long k = random.nextLong(15_000);
                    if (random.nextInt(5) == 0) map.remove(k);
                    else map.put(k, random.nextLong());
                }
                Await.until("the replica on the other host to equal the leader's map",
                        () -> Replicas.contents(spec.location())
                                .equals(Replicas.contents(replica)),
                        () -> ReplicationStatus.of(replica) + "\n" + follower.output() + "\nleader: " + leader.output());
                var leaderMap = Replicas.contents(spec.location());
                var replicaMap = Replicas.contents(replica);
                for (var e : leaderMap.entrySet()) assertEquals(e.getValue(), replicaMap.get(e.getKey()), "key " + e.getKey());
                assertEquals(leaderMap.size(), replicaMap.size());
                ReplicationStatus s = ReplicationStatus.of(replica).orElseThrow();
                assertEquals(listen, s.peer());
                assertTrue(s.running());
            }
        } finally {
            TestDirs.delete(archive);
        }
    }
}
