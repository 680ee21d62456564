package dev.mapsync.bench.startup;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Whole-process start-up of the command line, as a script that runs it in a loop sees it: {@code bin/mapsync get},
 * {@code set}, {@code add}, {@code cas}, {@code lock -- true}, {@code get --json} and {@code --help} against the
 * JVM's own start ({@code java -version} of the same JDK), {@code flock(1)} for {@code lock -- true}, and
 * {@code bpftool map lookup} of a pinned array for a bpf {@code get} (where this process may make kernel maps and
 * bpftool is installed). The runs are interleaved, one of each command per round, so that the machine's noise falls
 * on all alike; each figure is the median and range of the rounds. Then the Java API's first calls in fresh JVMs
 * ({@link FirstCalls}).
 */
public final class StartupBench {
    private StartupBench() {}

    /** One command's whole-process times, in milliseconds. */
    public record Figure(String command, double median, double min, double max, int runs) {
        static Figure of(String command, List<Double> ms) {
            double[] sorted = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            return new Figure(command, sorted[sorted.length / 2], sorted[0], sorted[sorted.length - 1], sorted.length);
        }
    }

    /** The API's first calls in a fresh JVM, medians over the runs, in milliseconds. */
    public record FirstCallFigure(double open, double firstGet, double firstLock, double process, int runs) {}

    /** Every figure of one run. */
    public record Results(List<Figure> commands, FirstCallFigure api, String skipped) {
        public Figure get(String command) {
            return commands.stream().filter(f -> f.command().equals(command)).findFirst().orElse(null);
        }
    }

    public static final String JAVA_VERSION = "java -version", FLOCK = "flock(1) FILE true",
            FLOOR_EMPTY = "floor: JVM as bin/mapsync starts it, empty main", FLOOR_DOWNCALL = "floor: ... + one downcall",
            BPFTOOL = "bpftool map lookup (pinned array)", BPF_GET = "mapsync get bpf:NAME 0";

    /** Runs {@code rounds} rounds of every command, and as many fresh JVMs for the API's first calls. */
    public static Results run(int rounds) throws IOException, InterruptedException {
        Path root = checkout();
        Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "mapsync-startup-");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String mapsync = root.resolve("bin/mapsync").toString();
        Function<String, List<String>> cli = line -> {
            List<String> argv = new ArrayList<>(List.of(mapsync, "--dir", dir.toString()));
            argv.addAll(Arrays.asList(line.split(" ")));
            return argv;
        };
        Map<String, List<String>> commands = new LinkedHashMap<>();
        commands.put(JAVA_VERSION, List.of(java, "-version"));
        for (String c : List.of("get s 0", "get s 0 --json", "set s 1 7", "add s 0 1", "cas s 1 7 7", "lock s 0 -- true",
                "--help")) {
            commands.put("mapsync " + c, cli.apply(c));
        }
        commands.put(FLOCK, List.of("flock", dir.resolve("flock").toString(), "true"));
        // the floor: the launcher's JVM options with an AOT cache of the floor's own
        String benchmarks = System.getProperty("java.class.path").split(File.pathSeparator)[0];
        List<String> jvm = List.of(java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:-UsePerfData",
                "-Xlog:disable", "-XX:TieredStopAtLevel=1");
        Path floorCache = dir.resolve("floor.aot");
        List<String> train = new ArrayList<>(jvm);
        train.addAll(List.of("-XX:AOTCacheOutput=" + floorCache, "-cp", benchmarks, Floor.class.getName(), "downcall"));
        run(train);
        for (String what : List.of("empty", "downcall")) {
            List<String> argv = new ArrayList<>(jvm);
            argv.addAll(List.of("-XX:AOTCache=" + floorCache, "-cp", benchmarks, Floor.class.getName(), what));
            commands.put(what.equals("empty") ? FLOOR_EMPTY : FLOOR_DOWNCALL, argv);
        }
        String skipped = "";
        String pin = null;
        try {
            run(cli.apply("create s --value i64 --entries 16"));
            run(cli.apply("set s 0 1"));
            String bpfName = "startup-bench-" + ProcessHandle.current().pid();
            if (exitOf(cli.apply("create bpf:" + bpfName + " --value u64 --entries 16")) == 0) {
                pin = "/sys/fs/bpf/mapsync/" + bpfName;
                String bpftool = Files.isExecutable(Path.of("/usr/sbin/bpftool")) ? "/usr/sbin/bpftool" : "bpftool";
                if (exitOf(List.of(bpftool, "map", "lookup", "pinned", pin, "key", "0", "0", "0", "0")) == 0) {
                    commands.put(BPF_GET, cli.apply("get bpf:" + bpfName + " 0"));
                    commands.put(BPFTOOL, List.of(bpftool, "map", "lookup", "pinned", pin, "key", "0", "0", "0", "0"));
                } else {
                    skipped = "bpf lookup skipped: bpftool could not read " + pin;
                }
            } else {
                skipped = "bpf lookup skipped: this process may not make kernel maps (mapsync doctor says why)";
            }
            // the first run of bin/mapsync after a build makes the AOT cache: not a figure
            for (List<String> argv : commands.values()) run(argv);

            Map<String, List<Double>> times = new LinkedHashMap<>();
            for (int round = 0; round < rounds; round++) {
                for (Map.Entry<String, List<String>> c : commands.entrySet()) {
                    long start = System.nanoTime();
                    run(c.getValue());
                    times.computeIfAbsent(c.getKey(), k -> new ArrayList<>()).add((System.nanoTime() - start) / 1e6);
                }
            }
            List<Figure> figures = new ArrayList<>();
            times.forEach((command, ms) -> figures.add(Figure.of(command, ms)));
            return new Results(figures, firstCalls(java, dir, rounds), skipped);
        } finally {
            if (pin != null) exitOf(cli.apply("rm bpf:" + Path.of(pin).getFileName()));
            exitOf(cli.apply("rm s"));
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        }
    }

    private static FirstCallFigure firstCalls(String java, Path dir, int rounds) throws IOException, InterruptedException {
        String classPath = System.getProperty("java.class.path").split(File.pathSeparator)[0];
        List<Double> open = new ArrayList<>(), get = new ArrayList<>(), lock = new ArrayList<>(), process = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            long start = System.nanoTime();
            Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", classPath,
                    FirstCalls.class.getName(), dir.toString(), "s").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            if (p.waitFor() != 0) throw new IllegalStateException("FirstCalls failed: " + out);
            process.add((System.nanoTime() - start) / 1e6);
            String[] us = out.split(" ");
            open.add(Double.parseDouble(us[0]) / 1e3);
            get.add(Double.parseDouble(us[1]) / 1e3);
            lock.add(Double.parseDouble(us[2]) / 1e3);
        }
        return new FirstCallFigure(Figure.of("", open).median(), Figure.of("", get).median(),
                Figure.of("", lock).median(), Figure.of("", process).median(), rounds);
    }

    private static void run(List<String> argv) throws IOException, InterruptedException {
        int code = exitOf(argv);
        if (code != 0) throw new IllegalStateException(String.join(" ", argv) + " exited " + code);
    }

    /** Runs {@code argv} with its output discarded; returns its exit code for the caller to judge. */
    private static int exitOf(List<String> argv) throws IOException, InterruptedException {
        return new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }

    /** The checkout this benchmarks jar was built in (bench/target/benchmarks.jar). */
    private static Path checkout() {
        try {
            Path jar = Path.of(StartupBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path root = jar.getParent().getParent().getParent();
            if (!Files.isExecutable(root.resolve("bin/mapsync"))) {
                throw new IllegalStateException("no bin/mapsync in " + root + ": the start-up figures run the checkout's launcher");
            }
            return root;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
