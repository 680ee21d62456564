package dev.mapsync.bench.cross;

import java.util.ArrayList;
import java.util.List;

/**
 * The lock C programs share between processes, as the peer of mapsync's entry lock: glibc's {@code pthread_mutex_t}
 * with {@code PTHREAD_PROCESS_SHARED} and {@code PTHREAD_MUTEX_ROBUST}, in a driver ({@code robust_mutex.c}, a
 * resource of this package, {@link PeerBuild#robustMutex}) that runs as mapsync's
 * drivers run: one process for the uncontended figure, forked processes on a start line for the contended one.
 */
final class GlibcMutex {
    private GlibcMutex() {}

    /** True when the driver builds here (the machine has a C compiler, {@code cc}). */
    static boolean available() {
        return whyUnavailable() == null;
    }

    /** Why the driver does not build here, or null when it does. */
    static String whyUnavailable() {
        try {
            PeerBuild.robustMutex();
            return null;
        } catch (Exception e) {
            return e.getMessage();
        }
    }

    /** Nanoseconds of one lock, increment and unlock that no other process contends: the median of five rounds. */
    static double uncontended(long n) throws Exception {
        String out = run("uncontended", Long.toString(n));
        return Double.parseDouble(field(out, "ns_per_op"));
    }

    /** {@code processes} processes taking the mutex {@code n} times each, as {@link LockContentionBench} does. */
    static LockContentionBench.Result contended(int processes, long n) throws Exception {
        String out = run("contended", Integer.toString(processes), Long.toString(n));
        return new LockContentionBench.Result("glibc", processes * n, Double.parseDouble(field(out, "ops_per_sec")),
                field(out, "exact").equals("1"), Double.parseDouble(field(out, "fairness")));
    }

    private static String field(String out, String name) {
        String[] words = out.trim().split("\\s+");
        for (int i = 0; i + 1 < words.length; i++) if (words[i].equals(name)) return words[i + 1];
        throw new IllegalStateException("robust_mutex printed no " + name + ": " + out);
    }

    private static String run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(PeerBuild.robustMutex().toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IllegalStateException("robust_mutex " + String.join(" ", args) + " failed");
        return out;
    }
}
