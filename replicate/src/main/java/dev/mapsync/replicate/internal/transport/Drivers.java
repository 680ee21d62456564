package dev.mapsync.replicate.internal.transport;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.IoUtil;

import java.io.File;
import java.util.concurrent.ThreadLocalRandom;

/** The embedded media drivers of leaders and followers: one per process role, in its own directory. */
final class Drivers {
    private static final System.Logger LOG = System.getLogger("dev.mapsync.replicate");

    private Drivers() {}

    /** A fresh directory name in shared memory, where Aeron's files work at memory speed. */
    static String newDirectory(String role) {
        String base = new File("/dev/shm").isDirectory() ? "/dev/shm" : System.getProperty("java.io.tmpdir");
        return base + "/mapsync-aeron-" + ProcessHandle.current().pid() + "-" + role + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong());
    }

    /**
     * One thread for the conductor, sender and receiver (a replica's traffic does not need three cores), and a
     * directory that is deleted when the driver closes.
     */
    static MediaDriver.Context context(String dir) {
        return new MediaDriver.Context()
                .aeronDirectoryName(dir)
                .threadingMode(ThreadingMode.SHARED)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)
                .errorHandler(Drivers::logError);
    }

    static void logError(Throwable t) {
        LOG.log(System.Logger.Level.WARNING, "Aeron: " + t);
    }

    static void deleteDirectory(String dir) {
        IoUtil.delete(new File(dir), true);
    }
}
