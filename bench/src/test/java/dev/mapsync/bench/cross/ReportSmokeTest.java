package dev.mapsync.bench.cross;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs every cross-process benchmark once, briefly, so that they keep working; asserts what they count, never how
 * fast (the figures belong in docs/BENCHMARKS.md, measured on a quiet machine).
 */
class ReportSmokeTest {
    @Test
    void everyBenchmarkRunsAndEverySharedCountIsExact() throws Exception {
        Report.Results r = Report.run(true);
        assertTrue(r.exact(), "a shared count came out wrong");
        assertEquals(List.of("notify", "notify-spin", "spin", "pipe", "socket"),
                r.latency().stream().map(PingPongBench.Result::mode).toList());
        assertEquals(6, r.counters().size());
        assertEquals(2, r.contention().size());
        assertEquals(12, r.rows().size());
        assertEquals(4, r.ringThroughput().size());
        assertEquals(2, r.ringLatency().size());
        for (Report.Row row : r.rows()) {
            assertTrue(row.mapsync() > 0 && row.peerValue() > 0, row.toString());
        }
    }
}
