package dev.mapsync.cli.demo;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ProgressTest {
    @Test
    void inAPipeACountThatHasNotMovedIsNotPrintedAgain() {
        StringWriter out = new StringWriter();
        AtomicLong clock = new AtomicLong();
        Progress progress = new Progress(new PrintWriter(out), false, () -> clock.addAndGet(2_000_000_000L));
        for (int i = 0; i < 8; i++) progress.show("transfer workers finished", 0, 4);
        progress.show("transfer workers finished", 1, 4);
        progress.show("transfer workers finished", 1, 4);
        progress.show("transfer workers finished", 4, 4);
        progress.finish();
        assertEquals("""
                  transfer workers finished: 0 / 4 (0%)
                  transfer workers finished: 1 / 4 (25%)
                  transfer workers finished: 4 / 4 (100%)
                """, out.toString());
    }

    @Test
    void onATerminalOneLineIsRewrittenInPlaceAndClearedAtTheEnd() {
        StringWriter out = new StringWriter();
        AtomicLong clock = new AtomicLong();
        Progress progress = new Progress(new PrintWriter(out), true, () -> clock.addAndGet(200_000_000L));
        progress.show("records", 1, 2);
        progress.show("records", 2, 2);
        progress.finish();
        assertEquals("\r  records: 1 / 2 (50%)   \r  records: 2 / 2 (100%)   \r" + " ".repeat(70) + "\r", out.toString());
    }
}
