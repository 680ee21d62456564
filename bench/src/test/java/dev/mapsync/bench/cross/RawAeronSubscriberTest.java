package dev.mapsync.bench.cross;

import dev.mapsync.launch.UdpPorts;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The peer measurement's subscriber, with no publisher on its control port: it waits its time for a first message,
 * says what it saw (no image) with its driver's error log, and exits with the status that makes the publisher's side
 * measure again, leaving no driver directory behind.
 */
class RawAeronSubscriberTest {
    @Test
    void aSubscriberThatGetsNoMessageSaysWhatItSawAndExitsWithItsStatus() throws Exception {
        int port = UdpPorts.freePair();
        List<String> command = new ArrayList<>(Child.command(RawAeronBench.class, "subscriber", "127.0.0.1:" + port,
                "0.1", "0.1"));
        command.add(1, "-Dmapsync.bench.noMessageSeconds=1");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(RawAeronBench.NO_MESSAGE_EXIT, p.exitValue(), output);
        assertTrue(output.contains("subscriber: no message in 1 s; images 0, channel status "), output);
        assertTrue(output.contains("its driver's error log:"), output);
    }
}
