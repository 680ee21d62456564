package dev.mapsync.bench.cross;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The CPU time of every thread of some processes, from {@code /proc/PID/task/TID/stat} (user + system time, in clock
 * ticks of 10 ms): two samples give each thread's share of a CPU between them, which says where a benchmark's time
 * went on a machine with fewer CPUs than busy threads.
 */
final class ThreadCpu {
    /** Linux's USER_HZ, the unit of utime and stime in /proc, is 100 on every architecture Java runs on. */
    private static final double TICKS_PER_SECOND = 100;

    /** One thread's CPU between two samples, in CPUs (1.0 = a whole CPU all the time). */
    record Share(String process, String thread, double cpus) {}

    /**
     * The CPU ticks of each thread of each process, and of the whole machine (from {@code /proc/stat}: busy, and
     * stolen by the hypervisor), at one moment.
     */
    record Sample(long nanos, Map<String, Map<Long, Thread>> processes, long machineBusy, long machineSteal) {
        record Thread(String name, long ticks) {}
    }

    /**
     * What the whole machine did between two samples, in CPUs: busy (every process, these included, and the kernel's
     * interrupts), the part of it that was not these processes, and the time the hypervisor gave to other machines.
     */
    record Machine(double busy, double others, double steal) {}

    private ThreadCpu() {}

    /** Samples the threads of {@code processes} (role to pid); a process that has exited has no threads. */
    static Sample sample(Map<String, Long> processes) {
        Map<String, Map<Long, Sample.Thread>> all = new LinkedHashMap<>();
        long now = System.nanoTime();
        processes.forEach((role, pid) -> {
            Map<Long, Sample.Thread> threads = new LinkedHashMap<>();
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
                for (Path task : tasks.toList()) {
                    try {
                        String stat = Files.readString(task.resolve("stat"));
                        int open = stat.indexOf('('), close = stat.lastIndexOf(')');
                        String[] f = stat.substring(close + 2).split(" ");
                        // after "pid (comm) ": state is field 3, utime 14, stime 15
                        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                        threads.put(Long.parseLong(task.getFileName().toString()),
                                new Sample.Thread(stat.substring(open + 1, close), ticks));
                    } catch (IOException | RuntimeException gone) {
                        // the thread ended meanwhile
                    }
                }
            } catch (IOException gone) {
                // the process ended
            }
            all.put(role, threads);
        });
        long busy = 0, steal = 0;
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal ...
            busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                    + Long.parseLong(f[7]);
            steal = Long.parseLong(f[8]);
        } catch (IOException | RuntimeException unknown) {
            // not Linux: no machine figures
        }
        return new Sample(now, all, busy, steal);
    }

    /**
     * Each thread's share of a CPU from {@code before} to {@code after}, threads of one name in one process added up
     * (a JVM's GC and compiler threads), busiest first; shares under {@code min} are left out.
     */
    static List<Share> between(Sample before, Sample after, double min) {
        double seconds = (after.nanos() - before.nanos()) / 1e9;
        List<Share> out = new ArrayList<>();
        after.processes().forEach((role, threads) -> {
            Map<Long, Sample.Thread> earlier = before.processes().getOrDefault(role, Map.of());
            Map<String, Long> byName = new LinkedHashMap<>();
            threads.forEach((tid, t) -> {
                Sample.Thread b = earlier.get(tid);
                long ticks = t.ticks() - (b == null ? 0 : b.ticks());
                byName.merge(group(t.name()), ticks, Long::sum);
            });
            byName.forEach((name, ticks) -> {
                double cpus = ticks / TICKS_PER_SECOND / seconds;
                if (cpus >= min) out.add(new Share(role, name, Math.round(cpus * 100) / 100.0));
            });
        });
        out.sort(Comparator.comparingDouble(Share::cpus).reversed());
        return out;
    }

    /** {@return the CPUs each process used from {@code before} to {@code after}, all its threads} */
    static Map<String, Double> perProcess(Sample before, Sample after) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Share s : between(before, after, 0)) out.merge(s.process(), s.cpus(), Double::sum);
        out.replaceAll((k, v) -> Math.round(v * 100) / 100.0);
        return out;
    }

    /** {@return the whole machine's CPUs from {@code before} to {@code after}} */
    static Machine machine(Sample before, Sample after) {
        double seconds = (after.nanos() - before.nanos()) / 1e9;
        double busy = (after.machineBusy() - before.machineBusy()) / TICKS_PER_SECOND / seconds;
        double mine = perProcess(before, after).values().stream().mapToDouble(Double::doubleValue).sum();
        double steal = (after.machineSteal() - before.machineSteal()) / TICKS_PER_SECOND / seconds;
        return new Machine(round(busy), round(Math.max(0, busy - mine)), round(steal));
    }

    private static double round(double cpus) {
        return Math.round(cpus * 100) / 100.0;
    }

    /** The JVM's numbered helper threads under one name: {@code GC Thread#3} is a {@code GC Thread}. */
    private static String group(String name) {
        int hash = name.indexOf('#');
        return hash > 0 ? name.substring(0, hash) : name;
    }
}
