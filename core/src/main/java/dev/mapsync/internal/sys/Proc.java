package dev.mapsync.internal.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Facts about processes that identify a lock owner or a map's creator beyond its (recyclable) pid. */
public final class Proc {
    private Proc() {}

    /** This process's pid, in its own pid namespace. */
    public static final int PID = (int) ProcessHandle.current().pid();

    /** This process's start time in clock ticks since boot ({@code /proc/self/stat} field 22). */
    public static final long START_TIME = startTime(PID);

    /** The inode of this process's pid namespace; pids recorded by another namespace mean nothing here. */
    public static final long PID_NAMESPACE = pidNamespace();

    /**
     * The start time of {@code pid} in clock ticks since boot, or -1 when no such process exists. Together
     * with the pid it names one process: a recycled pid has a later start time.
     */
    public static long startTime(int pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
        } catch (IOException e) {
            return -1;
        }
        // the command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'
        String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(rest[22 - 3]);
    }

    /** True when the process that was {@code pid} with start time {@code startTime} is still running. */
    public static boolean isAlive(int pid, long startTime) {
        long now = startTime(pid);
        return now != -1 && now == startTime;
    }

    private static long pidNamespace() {
        try {
            return (long) Files.getAttribute(Path.of("/proc/self/ns/pid"), "unix:ino");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return 0;
        }
    }
}
