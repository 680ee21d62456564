package dev.mapsync.replicate;

import dev.mapsync.testkit.Await;
import dev.mapsync.Codec;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import dev.mapsync.launch.UdpPorts;
import dev.mapsync.testkit.MapDir;
import dev.mapsync.testkit.TestDirs;
import io.aeron.archive.client.AeronArchive;
import io.aeron.archive.client.ArchiveException;
import io.aeron.archive.codecs.SourceLocation;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The leader's archive listens on the network for followers' replays: anyone else who reaches it may read the
 * recording, never change it.
 */
class ArchiveAccessTest {
    @RegisterExtension
    final MapDir maps = new MapDir("aa");

    @Test
    void aStrangerMayReadTheRecordingButNotChangeIt() throws Exception {
        var spec = MapSpec.array(maps.name(), Codec.i64(), 64).dir(maps.dir());
        Path archive = TestDirs.create();
        int port = UdpPorts.freePair();
        String dir = "/dev/shm/mapsync-aeron-" + ProcessHandle.current().pid() + "-stranger-" + System.nanoTime();
        try (var map = SharedArray.create(spec);
             Leader leader = Leader.serve(spec.location(), "127.0.0.1:" + port, archive);
             MediaDriver driver = MediaDriver.launch(new MediaDriver.Context().aeronDirectoryName(dir)
                     .threadingMode(ThreadingMode.SHARED).dirDeleteOnStart(true).dirDeleteOnShutdown(true));
             AeronArchive stranger = AeronArchive.connect(new AeronArchive.Context().aeronDirectoryName(dir)
                     .controlRequestChannel("aeron:udp?endpoint=127.0.0.1:" + (port + 1))
                     .controlResponseChannel("aeron:udp?endpoint=127.0.0.1:0"))) {
            long recording = leader.status().recordingId();
            assertEquals(0, stranger.getStartPosition(recording), "reading positions is allowed");
            Await.until("the leader's snapshot to be recorded", () -> stranger.getRecordingPosition(recording) > 0);
            for (Executable change : new Executable[]{
                    () -> stranger.purgeSegments(recording, 0),
                    () -> stranger.truncateRecording(recording, 0),
                    () -> stranger.purgeRecording(recording),
                    () -> stranger.stopRecording(recording),
                    () -> stranger.startRecording("aeron:udp?endpoint=127.0.0.1:0", 9, SourceLocation.REMOTE),
                    () -> stranger.deleteDetachedSegments(recording)}) {
                ArchiveException e = assertThrows(ArchiveException.class, change);
                assertTrue(e.getMessage().contains("unauthorised"), e.getMessage());
            }
            map.set(3, 33L);
            Await.until("the change to be recorded still", () -> leader.status().changes() >= 66);
            assertTrue(stranger.getRecordingPosition(recording) > 0);
        } finally {
            TestDirs.delete(archive);
        }
    }
}
