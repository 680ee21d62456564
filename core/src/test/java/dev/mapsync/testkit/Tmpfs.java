package dev.mapsync.testkit;

import java.io.IOException;
import java.nio.file.Path;

/** A small tmpfs mounted for a test that fills a file system; mounting needs root, else the test skips. */
public final class Tmpfs {
    private Tmpfs() {}

    /** Mounts a tmpfs of {@code size} (as mount(8) takes it: {@code 2m}) on the folder {@code at}, or skips the test. */
    public static boolean mount(Path at, String size) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", at.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() == 0) return true;
        Machine.skip("full file system", "a small tmpfs cannot be mounted here (" + out.strip() + "); it needs root");
        return false;
    }

    /** Unmounts what {@link #mount} mounted on {@code at}, even while a file there is still open. */
    public static void unmount(Path at) throws IOException, InterruptedException {
        new ProcessBuilder("umount", "-l", at.toString()).inheritIO().start().waitFor();
    }
}
