package dev.mapsync.internal.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPUs the kernel may ever bring online ({@code /sys/devices/system/cpu/possible}): a per-CPU map holds one value
 * for each of them, in CPU order, and every lookup and update copies all of them. Thread-safe; read once.
 */
public final class Cpus {
    private Cpus() {}

    private static final Path POSSIBLE = Path.of("/sys/devices/system/cpu/possible");

    private static final class Holder {
        static final int POSSIBLE_COUNT = count(read());
    }

    /**
     * How many CPUs are possible: the number of values of each element of a per-CPU map.
     *
     * @throws IllegalStateException if the file cannot be read or parsed
     */
    public static int possible() {
        return Holder.POSSIBLE_COUNT;
    }

    private static String read() {
        try {
            return Files.readString(POSSIBLE).strip();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + POSSIBLE + " (the possible CPUs): " + e, e);
        }
    }

    /** The number of CPUs in a list such as {@code 0-3,6,8-9}, as the kernel prints CPU masks. */
    static int count(String list) {
        int n = 0;
        try {
            for (String range : list.split(",")) {
                int dash = range.indexOf('-');
                int from = Integer.parseInt(range.substring(0, dash < 0 ? range.length() : dash).strip());
                int to = dash < 0 ? from : Integer.parseInt(range.substring(dash + 1).strip());
                if (from < 0 || to < from) throw new NumberFormatException(range);
                n += to - from + 1;
            }
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot parse the possible CPUs '" + list + "' of " + POSSIBLE, e);
        }
        return n;
    }
}
