package dev.mapsync.bench.cross;

import dev.mapsync.Codec;
import dev.mapsync.LongSlots;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import dev.mapsync.bench.MappedFiles;
import org.junit.jupiter.api.Test;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The round trip's driver does not spin or wait for ever on a pong process that ended. */
class PingPongBenchTest {
    @Test
    void aSpinForTheAnswerOfAnEndedProcessFailsUnlessTheAnswerIsThere() throws Exception {
        Path dir = MappedFiles.tempDir();
        try (SharedArray<Long> map = SharedArray.create(MapSpec.array("spin", Codec.i64(), 2).dir(dir))) {
            LongSlots slots = map.longs();
            Process pong = Child.start(GateTest.Worker.class, "fail", dir.toString());
            assertTrue(pong.waitFor(60, TimeUnit.SECONDS), "the process did not end");
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> PingPongBench.spinFor(slots, 7, pong));
            assertEquals("spin: the pong process ended (exit 1) before it answered", e.getMessage());
            slots.setRelease(1, 7L);
            PingPongBench.spinFor(slots, 7, pong); // an answer written before the end counts
        } finally {
            MappedFiles.deleteTree(dir);
        }
    }

    @Test
    void anAcceptOfAnEndedProcessFails() throws Exception {
        Path dir = MappedFiles.tempDir();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(dir.resolve("socket")));
            Process pong = Child.start(GateTest.Worker.class, "fail", dir.toString());
            assertTrue(pong.waitFor(60, TimeUnit.SECONDS), "the process did not end");
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> PingPongBench.accept(server, pong));
            assertEquals("socket: the pong process ended (exit 1) before it connected", e.getMessage());
        } finally {
            MappedFiles.deleteTree(dir);
        }
    }
}
