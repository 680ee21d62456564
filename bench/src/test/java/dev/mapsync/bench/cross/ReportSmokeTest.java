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
 * Runs every cross-process benchmark once, briefly, as {@code mapsync bench --quick --json} does (a process of its
 * own whose standard output must be one JSON document), so that they keep working; asserts what they count, never
 * how fast (the figures belong in docs/BENCHMARKS.md, measured on a quiet machine).
 */
class ReportSmokeTest {
    private static final int ROWS_BUT_KERNEL_RING = 35;

    @Test
    void everyBenchmarkRunsEverySharedCountIsExactAndStdoutIsOneJsonDocument() throws Exception {
        // the start-up figures run the built launcher and jars, which exist only after the package phase: bin/test
        // runs them (mapsync bench --startup --quick) after the build
        Process report = Child.start(Report.class, "--quick", "--no-startup", "--json", "-");
        byte[] stdout = report.getInputStream().readAllBytes();
        assertTrue(report.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, report.exitValue(), "the report failed (6: a shared count came out wrong)");

        JsonNode doc = new ObjectMapper().readTree(new String(stdout, StandardCharsets.UTF_8));
        assertTrue(doc.get("counts_exact").asBoolean());
        assertTrue(doc.get("quick").asBoolean());
        List<String> modes = new ArrayList<>();
        doc.get("latency").forEach(r -> modes.add(r.get("mode").asText()));
        assertEquals(List.of("notify", "notify-spin", "spin", "pipe", "socket"), modes);
        // sharded, one mapsync slot, one Agrona slot, the JDK VarHandle (a local, a field); 1, 2, 4 processes
        assertEquals(15, doc.get("counters").size());
        List<String> locks = new ArrayList<>();
        doc.get("contention").forEach(r -> locks.add(r.get("mode").asText()));
        assertEquals(List.of("mapsync", "flock", "glibc"), locks);
        assertEquals(4, doc.get("ring_throughput").size());
        assertEquals(4, doc.get("ring_latency").size());
        // the kernel ring rows need CAP_BPF and libbpf; where they are missing the report says why and leaves them out
        List<String> kernelRing = new ArrayList<>();
        doc.get("rows").forEach(r -> {
            if (r.get("benchmark").asText().startsWith("kernel ring backlog, ")) kernelRing.add(r.get("benchmark").asText());
        });
        assertTrue(kernelRing.isEmpty() || kernelRing.equals(List.of("kernel ring backlog, mapsync next, first",
                "kernel ring backlog, mapsync next, warm", "kernel ring backlog, mapsync drain, first",
                "kernel ring backlog, mapsync drain, warm")), kernelRing::toString);
        assertEquals(ROWS_BUT_KERNEL_RING, doc.get("rows").size() - kernelRing.size());
        for (JsonNode row : doc.get("rows")) {
            if (row.get("unit").asText().equals("share")) {
                // fairness: 0 when one process took every lock before the other's first, which a short run allows
                for (String who : List.of("mapsync", "peerValue")) {
                    double share = row.get(who).asDouble();
                    assertTrue(share >= 0 && share <= 1, row.toString());
                }
                continue;
            }
            assertTrue(row.get("mapsync").asDouble() > 0 && row.get("peerValue").asDouble() > 0, row.toString());
        }
        for (JsonNode ring : doc.get("ring_throughput")) assertEquals(0, ring.get("violations").asLong(), ring.toString());
    }
}
