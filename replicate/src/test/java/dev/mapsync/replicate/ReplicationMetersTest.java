package dev.mapsync.replicate;

import dev.mapsync.testkit.Await;
import dev.mapsync.Codec;
import dev.mapsync.MapLocation;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import dev.mapsync.replicate.ReplicationStatus.Role;
import dev.mapsync.testkit.MapDir;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.List;


import static dev.mapsync.replicate.ReplicationMeters.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gauges of a leader, a follower and a follower's status file, and their names as Prometheus serves them. */
class ReplicationMetersTest {
    @RegisterExtension
    final MapDir leaderMaps = new MapDir("ml");
    @RegisterExtension
    final MapDir followerMaps = new MapDir("mf");
    @RegisterExtension
    final LeaderEnd leaderEnd = new LeaderEnd();

    private static double gauge(MeterRegistry registry, String name, String role) {
        return registry.get(name).tag("role", role).gauge().value();
    }

    @Test
    void theGaugesReadALeaderAFollowerAndTheFollowersStatusFile() throws Exception {
        String name = leaderMaps.name();
        var spec = MapSpec.array(name, Codec.i64(), 64).dir(leaderMaps.dir());
        Path archive = leaderEnd.archive();
        String listen = leaderEnd.listen();
        MapLocation replicaAt = MapSpec.existing(name).dir(followerMaps.dir());
        try (var map = SharedArray.create(spec);
             Leader leader = Leader.serve(spec.location(), listen, archive);
             Follower follower = Follower.follow(replicaAt, listen)) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            ReplicationMeters.of(leader).bindTo(registry);
            ReplicationMeters.of(follower).tags(Tags.of("site", "b")).bindTo(registry);
            SimpleMeterRegistry files = new SimpleMeterRegistry();
            ReplicationMeters.of(replicaAt, Role.FOLLOWER).bindTo(files);
            ReplicationMeters.of(replicaAt, Role.LEADER).bindTo(files);

            for (int i = 0; i < 64; i++) map.set(i, i * 3L);
            Await.until("the follower to apply all the leader sent", () -> Replicas.sameArrays(map, replicaAt)
                    && follower.status().state().equals("live")
                    && follower.status().changes() == leader.status().changes());
            ReplicationStatus f = follower.status();
            assertEquals(List.of(0.0, 0.0, (double) f.position(), 1.0, 1.0), List.of(
                    gauge(registry, LAG_CHANGES, "follower"), gauge(registry, LAG, "follower"),
                    gauge(registry, POSITION, "follower"), gauge(registry, RUNNING, "follower"),
                    gauge(registry, SNAPSHOTS, "follower")));
            assertEquals("b", registry.get(RUNNING).tag("role", "follower").gauge().getId().getTag("site"));
            assertEquals(name, registry.get(RUNNING).tag("role", "follower").gauge().getId().getTag("map"));
            assertEquals(List.of(0.0, 0.0, 1.0, 1.0), List.of(gauge(registry, LAG_CHANGES, "leader"),
                    gauge(registry, LAG, "leader"), gauge(registry, RUNNING, "leader"), gauge(registry, SNAPSHOTS, "leader")));
            assertTrue(gauge(registry, POSITION, "leader") >= f.position(), "the leader sent what the follower applied");
            assertEquals("seconds", registry.get(LAG).tag("role", "follower").gauge().getId().getBaseUnit());

            Await.until("the status file to say what the follower does", () -> gauge(files, POSITION, "follower") == f.position());
            assertEquals(List.of(0.0, 1.0, 1.0), List.of(gauge(files, LAG_CHANGES, "follower"),
                    gauge(files, RUNNING, "follower"), gauge(files, SNAPSHOTS, "follower")));
            assertTrue(Double.isNaN(gauge(files, RUNNING, "leader")), "the replica's file is a follower's");

            follower.close();
            assertEquals(0.0, gauge(registry, RUNNING, "follower"), "a closed follower's last status");
            assertEquals(0.0, gauge(files, RUNNING, "follower"), "its status file says stopped");
            assertEquals("stopped", ReplicationStatus.of(replicaAt).orElseThrow().state());
            assertEquals("stopped", follower.status().state());
            assertEquals((double) f.position(), gauge(files, POSITION, "follower"));
        }
    }

    @Test
    void aMapWithoutAStatusFileReadsNaN() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ReplicationMeters.of(MapSpec.existing(leaderMaps.name()).dir(leaderMaps.dir()), Role.FOLLOWER).bindTo(registry);
        for (String n : List.of(LAG_CHANGES, LAG, POSITION, RUNNING, SNAPSHOTS)) {
            assertTrue(Double.isNaN(gauge(registry, n, "follower")), n);
        }
    }

    /** The names {@code mapsync export} serves for the same figures (its MapCollector), so that one dashboard reads either. */
    @Test
    void aPrometheusRegistryServesTheExportersNames() throws Exception {
        String name = leaderMaps.name();
        var spec = MapSpec.array(name, Codec.i64(), 8).dir(leaderMaps.dir());
        Path archive = leaderEnd.archive();
        String listen = leaderEnd.listen();
        try (var map = SharedArray.create(spec); Leader leader = Leader.serve(spec.location(), listen, archive)) {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            ReplicationMeters.of(leader).bindTo(registry);
            Await.until("the leader's first snapshot", () -> leader.status().snapshots() == 1);
            List<String> served = registry.scrape().lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                    .map(l -> l.substring(0, l.indexOf('{'))).distinct().sorted().toList();
            assertEquals(List.of("mapsync_replica_lag_changes", "mapsync_replica_lag_seconds", "mapsync_replica_position",
                    "mapsync_replica_running", "mapsync_replica_snapshots"), served);
            assertEquals(List.of("mapsync_replica_running{map=\"" + name + "\",role=\"leader\"} 1.0",
                    "mapsync_replica_snapshots{map=\"" + name + "\",role=\"leader\"} 1.0"), registry.scrape().lines()
                    .filter(l -> l.startsWith("mapsync_replica_running") || l.startsWith("mapsync_replica_snapshots"))
                    .toList());
        }
    }
}
