package dev.mapsync.replicate;

import dev.mapsync.ArraySpec;
import dev.mapsync.Codec;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import dev.mapsync.testkit.Await;
import dev.mapsync.testkit.MapDir;
import dev.mapsync.testkit.Tmpfs;
import io.aeron.archive.client.ArchiveException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A leader whose archive's file system fills up fails, saying why, instead of spinning for ever with its status
 * frozen: without its recording no follower can catch up, and with no follower the stream has no reader at all.
 */
class FullArchiveTest {
    @RegisterExtension
    final MapDir maps = new MapDir("fa");
    @RegisterExtension
    final LeaderEnd leaderEnd = new LeaderEnd();

    @Test
    void aLeaderWhoseArchiveFolderHasTooLittleRoomDoesNotStartAndSaysHowMuchItNeeds() throws Exception {
        Path mount = Files.createDirectories(leaderEnd.archive().resolve("tiny"));
        if (!Tmpfs.mount(mount, "2m")) return;
        try {
            ArraySpec<Long> spec = MapSpec.array(maps.name(), Codec.i64(), 4).dir(maps.dir());
            try (SharedArray<Long> map = SharedArray.create(spec)) {
                ArchiveException e = assertThrows(ArchiveException.class,
                        () -> Leader.serve(spec.location(), leaderEnd.listen(), mount.resolve("archive")));
                assertEquals("ERROR - the archive's folder " + mount.resolve("archive") + " has 2 MiB free; Aeron's archive"
                        + " starts a recording only with 128 MiB free", e.getMessage());
            }
        } finally {
            Tmpfs.unmount(mount);
        }
    }

    @Test
    void aLeaderWhoseArchiveDiskFillsFailsSayingSo() throws Exception {
        Path mount = Files.createDirectories(leaderEnd.archive().resolve("small"));
        // the archive starts a recording only with 128 MiB free; the file system then fills up, but for 8 MiB
        if (!Tmpfs.mount(mount, "160m")) return;
        try {
            ArraySpec<String> spec = MapSpec.array(maps.name(), Codec.chars(1000), 64).dir(maps.dir());
            try (SharedArray<String> map = SharedArray.create(spec);
                 Leader leader = Leader.serve(spec.location(), leaderEnd.listen(), mount.resolve("archive"))) {
                long fill = Files.getFileStore(mount).getUsableSpace() - (8 << 20);
                try (RandomAccessFile filler = new RandomAccessFile(mount.resolve("filler").toFile(), "rw")) {
                    byte[] block = new byte[1 << 20];
                    for (long n = 0; n < fill; n += block.length) filler.write(block, 0, (int) Math.min(block.length, fill - n));
                }
                String value = "x".repeat(1000);
                int[] written = {0};
                // 8 MiB take about 8,000 changes of 1 KB: write until the leader ends
                Await.until("the leader to fail", Duration.ofSeconds(60), () -> {
                    for (int i = 0; i < 100 && leader.isRunning(); i++) map.set(written[0]++ % 64, value);
                    return !leader.isRunning();
                });
                String why = "the archive stopped recording the live stream (is its file system full? its log says"
                        + " why): followers could no longer catch up";
                assertEquals(List.of("failed: " + why, false),
                        List.of(leader.status().state(), leader.status().running()), "after " + written[0] + " writes");
                assertEquals(why, leader.failure().getMessage());
                assertFalse(map.isClosed(), "the map goes on without its leader");
            }
        } finally {
            Tmpfs.unmount(mount);
        }
    }
}
