package dev.mapsync.bench.threads;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A short run of each kind: every round's counter is exact (or the run throws), and one line says the rates. */
class ThreadsLockBenchTest {
    @Test
    void platformAndVirtualThreadsCountExactlyAndReportOneLine() throws Exception {
        for (String kind : new String[] {"platform", "virtual"}) {
            String out = run(kind, "8", "2000", "2");
            assertTrue(out.matches("8 " + kind + " threads x 2,000 lock/increment/unlock: mapsync \\d+\\.\\d\\d Mops/s,"
                    + " ReentrantLock \\d+\\.\\d\\d Mops/s, mapsync / ReentrantLock \\d+\\.\\d\\dx\n"), out);
        }
    }

    private static String run(String... args) throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            ThreadsLockBench.main(args);
        } finally {
            System.setOut(saved);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
