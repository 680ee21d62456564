package dev.mapsync;

import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.TestJvm;
import dev.mapsync.testkit.WideValues;
import dev.mapsync.testkit.WideValues.Wide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A reader whose every attempt at a consistent read finds the stripe's sequence changed (a peer that keeps writing the
 * word, played by the test hook {@code mapsync.test.spoilReads}) gives up at the map's lock timeout with a
 * LockTimeoutException, as a hash map's reader does; it once retried for ever.
 */
class SequenceChurnTest {
    @TempDir
    Path dir;

    @Test
    void aReadThatEveryAttemptFindsChangedEndsAtTheLockTimeout() {
        String name = "churn" + Long.toHexString(System.nanoTime());
        try (SharedArray<Wide> map = SharedArray.create(WideValues.spec(dir, name, 8))) {
            map.set(3, Wide.of(7));
            try (ChildJvm reader = TestJvm.start(SpoiledReader.class, dir.toString(), name)) {
                reader.awaitSuccess(60);
                String out = reader.output().strip();
                assertTrue(out.matches("LockTimeoutException: timed out after 0\\.[345] s reading entry 3 of map '" + name
                        + "': its stripe's sequence changed under every attempt \\(a writer, or a peer that keeps writing"
                        + " the word\\)"), out);
            }
        }
    }

    /** A child that reads entry 3 with the read-spoiling hook on and a lock timeout of 300 ms; prints what it got. */
    public static final class SpoiledReader {
        public static void main(String[] args) {
            System.setProperty("mapsync.test.spoilReads", "true");
            try (SharedArray<Wide> map = SharedArray.open(WideValues.spec(Path.of(args[0]), args[1], 8)
                    .lockTimeout(Duration.ofMillis(300)))) {
                System.out.println("read " + map.get(3).words()[0]);
            } catch (LockTimeoutException e) {
                System.out.println("LockTimeoutException: " + e.getMessage());
            }
        }
    }
}
