package dev.mapsync.replicate;

import dev.mapsync.Codec;
import dev.mapsync.MapLocation;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import dev.mapsync.launch.UdpPorts;
import dev.mapsync.testkit.MapDir;
import dev.mapsync.testkit.TestDirs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The README's replication example runs, and its follower keeps a replica in step. */
class ReadmeExampleTest {
    @RegisterExtension
    final MapDir leaderMaps = new MapDir("re");
    @RegisterExtension
    final MapDir followerMaps = new MapDir("rr");

    @Test
    void theExampleLeadsAndAFollowerKeepsUp() {
        var spec = MapSpec.array(leaderMaps.name(), Codec.i64(), 16).dir(leaderMaps.dir());
        MapLocation replica = MapSpec.existing(followerMaps.name()).dir(followerMaps.dir());
        Path archive = TestDirs.create();
        try (var limits = SharedArray.create(spec)) {
            for (int i = 0; i < 16; i++) limits.set(i, 100L * i);
            ReplicationStatus status = ReadmeExample.run(spec.location(), "127.0.0.1:" + UdpPorts.freePair(), archive,
                    replica, () -> Replicas.sameArrays(limits, replica) && ReplicationStatus.of(replica)
                            .map(s -> s.state().equals("live") && s.snapshots() == 1).orElse(false));
            assertEquals(ReplicationStatus.Role.FOLLOWER, status.role());
            assertEquals(1, status.snapshots());
            assertEquals("live", status.state());
        } finally {
            TestDirs.delete(archive);
        }
    }
}
