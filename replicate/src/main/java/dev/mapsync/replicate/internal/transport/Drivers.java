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

    private static final String PREFIX = "mapsync-aeron-";

    /**
     * A fresh directory name in shared memory, where Aeron's files work at memory speed. The directories that
     * killed processes left (their term buffers take tens of MiB each) are deleted first.
     */
    static String newDirectory(String role) {
        File base = new File(new File("/dev/shm").isDirectory() ? "/dev/shm" : System.getProperty("java.io.tmpdir"));
        sweep(base);
        return new File(base, PREFIX + ProcessHandle.current().pid() + "-" + role + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong())).getPath();
    }

    /** Deletes this user's driver directories whose process is gone (named {@code mapsync-aeron-<pid>-...}). */
    private static void sweep(File base) {
        File[] dirs = base.listFiles((d, name) -> name.startsWith(PREFIX));
        if (dirs == null) return;
        for (File dir : dirs) {
            String rest = dir.getName().substring(PREFIX.length());
            int dash = rest.indexOf('-');
            try {
                long pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
                if (dir.canWrite() && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) == false) {
                    IoUtil.delete(dir, true);
                }
            } catch (NumberFormatException e) {
                // not one of ours
            }
        }
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
