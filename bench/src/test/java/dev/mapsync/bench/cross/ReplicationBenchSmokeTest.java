package dev.mapsync.bench.cross;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the replication benchmark briefly, at a rate that never writes an entry twice, as its command line does (a
 * process of its own whose standard output must be one JSON document), and asserts what it counts, never how fast:
 * the reader of the replica saw every write once and none out of order, the follower applied messages while the
 * writer wrote unpaced, Aeron alone carried messages of the replication's size, and the replica ended equal to the
 * leader's map.
 */
class ReplicationBenchSmokeTest {
    @Test
    void everyWriteReachesTheReaderOfTheReplicaOnceAndTheReplicaEndsEqual() throws Exception {
        Process bench = Child.start(ReplicationBench.class, "--rates", "2000", "--seconds", "0.5", "--warmup", "0.2",
                "--throughput-seconds", "0.5", "--raw-seconds", "0.5", "--entries", "4096", "--json", "-");
        byte[] stdout = bench.getInputStream().readAllBytes();
        assertTrue(bench.waitFor(2, TimeUnit.MINUTES));
        assertEquals(0, bench.exitValue(),
                "the benchmark failed (its stderr is above; exit 6: the replica did not end equal)");

        JsonNode doc = new ObjectMapper().readTree(new String(stdout, StandardCharsets.UTF_8));
        assertTrue(doc.get("replicaEqual").asBoolean());
        assertEquals(ReplicationBench.MESSAGE_BYTES, doc.get("messageBytes").asInt());
        assertEquals(1, doc.get("paced").size());
        JsonNode paced = doc.get("paced").get(0);
        assertEquals(2000, paced.get("rate").asInt());
        assertEquals(1000, paced.get("writes").asLong());
        // 1,000 writes over 4,096 entries: no entry is written twice, so the reader sees every value, once
        assertEquals(1000, paced.get("seen").asLong(), paced.toString());
        assertEquals(0, paced.get("superseded").asLong());
        assertEquals(0, paced.get("stale").asLong());
        assertEquals(0, paced.get("missed").asLong());
        assertTrue(paced.get("lagFromSet").get("p50").asLong() > 0);
        // each write's intended time is at or before its set: each lag from it is the longer
        for (String p : List.of("p50", "p99", "max")) {
            assertTrue(paced.get("lagFromIntended").get(p).asLong() >= paced.get("lagFromSet").get(p).asLong(), p);
        }

        JsonNode t = doc.get("throughput");
        assertTrue(t.get("writes").asLong() > 0);
        assertTrue(t.get("followerMessages").asLong() > 0, t.toString());
        assertTrue(t.get("followerRate").asDouble() > 0);
        assertTrue(t.get("readerSeen").asLong() > 0);
        assertEquals(0, t.get("stale").asLong());

        List<String> modes = new ArrayList<>();
        for (JsonNode r : doc.get("raw")) {
            modes.add(r.get("mode").asText());
            assertEquals(ReplicationBench.MESSAGE_BYTES, r.get("messageBytes").asInt());
            assertTrue(r.get("messages").asLong() > 0, r.toString());
        }
        assertEquals(List.of("aeron", "aeron-recorded"), modes);
        assertTrue(doc.get("ratio").asDouble() > 0);
    }
}
