package dev.mapsync.replicate;

import dev.mapsync.testkit.Await;
import dev.mapsync.Codec;
import dev.mapsync.IncompatibleMapException;
import dev.mapsync.MapLocation;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import dev.mapsync.testkit.MapDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.List;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A follower that cannot apply what the leader sends stops and says why, rather than going on: what its message
 * handlers throw reaches its loop, although Aeron's poll catches what handlers throw.
 */
class FollowerFailureTest {
    @RegisterExtension
    final MapDir leaderMaps = new MapDir("fl");
    @RegisterExtension
    final MapDir followerMaps = new MapDir("ff");
    @RegisterExtension
    final LeaderEnd leaderEnd = new LeaderEnd();

    @Test
    void aFollowerIntoAMapOfThisHostFailsAtTheFirstSnapshot() throws Exception {
        String name = leaderMaps.name();
        var spec = MapSpec.array(name, Codec.i64(), 16).dir(leaderMaps.dir());
        Path archive = leaderEnd.archive();
        String listen = leaderEnd.listen();
        MapLocation replicaAt = MapSpec.existing(name).dir(followerMaps.dir());
        try (var map = SharedArray.create(spec);
             var local = SharedArray.create(MapSpec.array(name, Codec.i64(), 16).dir(followerMaps.dir()));
             Leader leader = Leader.serve(spec.location(), listen, archive);
             Follower follower = Follower.follow(replicaAt, listen)) {
            Await.until("the follower to fail", () -> !follower.isRunning());
            String why = "map '" + name + "' is a map of this host, not a read replica: a follower does not overwrite it"
                    + " (delete it with mapsync rm, or follow the leader into another name)";
            assertEquals(why, assertInstanceOf(IncompatibleMapException.class, follower.failure()).getMessage());
            assertEquals(List.of("failed: " + why, false), List.of(follower.status().state(), follower.status().running()));
            // it applied nothing: behind by the leader's time since the first message it heard, not since 1970
            assertTrue(follower.status().lagMillis() < 60_000, "lag " + follower.status().lagMillis() + " ms");
            ReplicationStatus file = ReplicationStatus.of(replicaAt).orElseThrow();
            assertEquals(List.of("failed: " + why, false), List.of(file.state(), file.running()));
            follower.close();
            assertEquals("failed: " + why, ReplicationStatus.of(replicaAt).orElseThrow().state(), "a close keeps why it failed");
            assertEquals(0L, local.get(0), "the map of this host is as it was");
            assertFalse(local.isClosed());
        }
    }
}
