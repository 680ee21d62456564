package dev.mapsync.bench.ring;

import dev.mapsync.bench.JvmFlags;
import dev.mapsync.bench.MappedFiles;
import dev.mapsync.launch.Jvm;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Cross-process drivers of the shm ring against Agrona's {@code ManyToOneRingBuffer} on a mapped file, with records
 * of 32 and 256 bytes:
 * <ul>
 * <li><b>throughput</b>: P producer processes each offer a warm-up stream and then N records (spinning while the
 *     ring is full) to one consumer, this process, which checks every producer's sequence; records per second of
 *     the N records each, from the moment every warm-up record has arrived to the last record, so that the JIT has
 *     compiled both sides before the clock starts.</li>
 * <li><b>latency</b>: round trips between this process and an echo process over two rings (ping and pong), both
 *     sides busy-spinning; percentiles from an HdrHistogram, after a warm-up.</li>
 * </ul>
 * Run it on a quiet machine with as many free cores as processes (JVM start-up is outside the measurement):
 * <pre>
 * java --enable-native-access=ALL-UNNAMED --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED \
 *      -cp bench/target/benchmarks.jar dev.mapsync.bench.ring.RingDriver [--impl mapsync,agrona] [--mode throughput,latency]
 *      [--size 32,256] [--producers 2] [--records 5000000] [--round-trips 1000000] [--capacity 1048576]
 * </pre>
 */
public final class RingDriver {
    private RingDriver() {}

    /** Records per second of P producer processes into one consumer. */
    public record Throughput(String impl, int size, int producers, long records, double recordsPerSecond, long violations) {}

    /** Round-trip percentiles over two rings, in nanoseconds. */
    public record Latency(String impl, int size, long samples, long p50, long p90, long p99, long p999, long max) {}

    private static final int WARMUP_ROUND_TRIPS = 20_000;
    /** Records each producer sends before the measured ones, at most; fewer when the run itself is shorter. */
    private static final long WARMUP_RECORDS = 2_000_000;
    private static final long SEQ_MASK = (1L << 48) - 1;

    record Options(List<String> impls, List<String> modes, List<Integer> sizes, int producers, long records,
                   long roundTrips, int capacity) {
        static Options parse(String[] args) {
            List<String> impls = List.of("mapsync", "agrona"), modes = List.of("throughput", "latency");
            List<Integer> sizes = List.of(32, 256);
            int producers = 2, capacity = 1 << 20;
            long records = 5_000_000, roundTrips = 1_000_000;
            for (int i = 0; i < args.length; i += 2) {
                String value = i + 1 < args.length ? args[i + 1] : "";
                switch (args[i]) {
                    case "--impl" -> impls = List.of(value.split(","));
                    case "--mode" -> modes = List.of(value.split(","));
                    case "--size" -> sizes = java.util.Arrays.stream(value.split(",")).map(Integer::valueOf).toList();
                    case "--producers" -> producers = Integer.parseInt(value);
                    case "--records" -> records = Long.parseLong(value);
                    case "--round-trips" -> roundTrips = Long.parseLong(value);
                    case "--capacity" -> capacity = Integer.parseInt(value);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            return new Options(impls, modes, sizes, producers, records, roundTrips, capacity);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            child(args);
            return;
        }
        Options o = Options.parse(args);
        System.out.printf("ring drivers: %s, %d CPUs, %s %s%n", Runtime.version(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"), System.getProperty("os.version"));
        for (String mode : o.modes()) {
            for (int size : o.sizes()) {
                for (String impl : o.impls()) {
                    Path dir = MappedFiles.tempDir();
                    try {
                        if (mode.equals("throughput")) {
                            Throughput t = throughput(o, impl, size, dir);
                            System.out.printf(Locale.ROOT, "throughput %-7s %3d B  %d producers -> 1 consumer: %,d records"
                                    + " measured: %,.0f records/s (%.0f MB/s of payload), %d violations%n", impl, size,
                                    t.producers(), t.records(), t.recordsPerSecond(), t.recordsPerSecond() * size / 1e6,
                                    t.violations());
                        } else {
                            Latency l = latency(o, impl, size, dir);
                            System.out.printf(Locale.ROOT, "latency    %-7s %3d B  round trip over two rings, %,d samples:"
                                    + " p50 %,d ns, p90 %,d, p99 %,d, p99.9 %,d, max %,d%n", impl, size, l.samples(),
                                    l.p50(), l.p90(), l.p99(), l.p999(), l.max());
                        }
                    } finally {
                        MappedFiles.deleteTree(dir);
                    }
                }
            }
        }
    }

    static BenchRing open(String impl, Path dir, String name, int capacity, int size, boolean create) {
        return switch (impl) {
            case "mapsync" -> create ? MapsyncBenchRing.create(dir, name, capacity, size)
                    : MapsyncBenchRing.open(dir, name, capacity, size);
            case "agrona" -> AgronaBenchRing.open(dir.resolve(name + ".agrona"), capacity, size);
            default -> throw new IllegalArgumentException("unknown ring " + impl + " (mapsync or agrona)");
        };
    }

    /** Runs the throughput test of {@code impl} with records of {@code size} bytes. */
    public static Throughput throughput(String impl, int size, int producers, long records) throws Exception {
        Path dir = MappedFiles.tempDir();
        try {
            return throughput(new Options(List.of(impl), List.of("throughput"), List.of(size), producers, records, 0, 1 << 20),
                    impl, size, dir);
        } finally {
            MappedFiles.deleteTree(dir);
        }
    }

    /** Runs the round-trip test of {@code impl} with records of {@code size} bytes. */
    public static Latency latency(String impl, int size, long roundTrips) throws Exception {
        Path dir = MappedFiles.tempDir();
        try {
            return latency(new Options(List.of(impl), List.of("latency"), List.of(size), 1, 0, roundTrips, 1 << 20),
                    impl, size, dir);
        } finally {
            MappedFiles.deleteTree(dir);
        }
    }

    private static Throughput throughput(Options o, String impl, int size, Path dir) throws Exception {
        long warmup = Math.min(WARMUP_RECORDS, o.records());
        long perProducer = warmup + o.records();
        long[] next = new long[o.producers()];
        try (BenchRing ring = open(impl, dir, "ring", o.capacity(), size, true)) {
            List<Process> children = new ArrayList<>();
            for (int p = 0; p < o.producers(); p++) {
                children.add(start(dir, "produce", impl, Integer.toString(o.capacity()), Integer.toString(size),
                        Integer.toString(p), Long.toString(perProducer)));
            }
            awaitReady(dir, children);
            long[] state = new long[2]; // received, violations
            java.util.function.LongConsumer check = v -> {
                int producer = (int) (v >>> 48);
                long seq = v & SEQ_MASK;
                if (producer >= next.length || seq != next[producer]) state[1]++;
                else next[producer]++;
                state[0]++;
            };
            Files.createFile(dir.resolve("go"));
            long start = 0, receivedAtStart = 0;
            long total = o.producers() * perProducer;
            while (state[0] < total) {
                if (start == 0 && java.util.Arrays.stream(next).allMatch(n -> n >= warmup)) {
                    start = System.nanoTime();
                    receivedAtStart = state[0];
                }
                if (ring.drain(check, 4096) == 0) {
                    Thread.onSpinWait();
                    // producers that died leave records missing: stop once they are gone and nothing is left
                    if (children.stream().noneMatch(Process::isAlive) && ring.drain(check, 4096) == 0) break;
                }
            }
            long elapsed = System.nanoTime() - start;
            long received = state[0] - receivedAtStart;
            long violations = state[1];
            for (Process c : children) c.waitFor(60, TimeUnit.SECONDS);
            return new Throughput(impl, size, o.producers(), received, received / (elapsed / 1e9), violations);
        }
    }

    private static Latency latency(Options o, String impl, int size, Path dir) throws Exception {
        Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        try (BenchRing ping = open(impl, dir, "ping", o.capacity(), size, true);
             BenchRing pong = open(impl, dir, "pong", o.capacity(), size, true)) {
            Process echo = start(dir, "echo", impl, Integer.toString(o.capacity()), Integer.toString(size),
                    Long.toString(WARMUP_ROUND_TRIPS + o.roundTrips()));
            awaitReady(dir, List.of(echo));
            Files.createFile(dir.resolve("go"));
            for (long i = 0; i < WARMUP_ROUND_TRIPS + o.roundTrips(); i++) {
                long sent = System.nanoTime();
                offer(ping, sent, size, echo);
                long got = take(pong, echo);
                long rtt = System.nanoTime() - sent;
                if (got != sent) throw new IllegalStateException("the echo returned " + got + ", not " + sent);
                if (i >= WARMUP_ROUND_TRIPS) h.recordValue(Math.min(rtt, h.getHighestTrackableValue()));
            }
            echo.waitFor(60, TimeUnit.SECONDS);
        }
        return new Latency(impl, size, h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(90),
                h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue());
    }

    /**
     * Offers a record to {@code ring}, spinning while it is full.
     *
     * @throws IllegalStateException if {@code echo}, which drains it, ended: the room would never come
     */
    static void offer(BenchRing ring, long value, int size, Process echo) {
        for (int i = 1; !ring.offer(value, size); i++) {
            Thread.onSpinWait();
            // a look at the process is a lock and a field read: once in 65,536 spins, a few a millisecond
            if ((i & 0xFFFF) == 0 && !echo.isAlive()) throw ended(echo, "took the record");
        }
    }

    /**
     * Takes the value of the next record of {@code ring}, spinning until there is one.
     *
     * @throws IllegalStateException if {@code echo}, which writes it, ended with none left: it would never come
     */
    static long take(BenchRing ring, Process echo) {
        long[] got = new long[1];
        LongConsumer sink = v -> got[0] = v;
        for (int i = 1; ring.drain(sink, 1) == 0; i++) {
            Thread.onSpinWait();
            if ((i & 0xFFFF) == 0 && !echo.isAlive() && ring.drain(sink, 1) == 0) throw ended(echo, "answered");
        }
        return got[0];
    }

    private static IllegalStateException ended(Process echo, String before) {
        return new IllegalStateException("latency: the echo process ended (exit " + echo.exitValue() + ") before it "
                + before);
    }

    // ------------------------------------------------------------------------------------------- child side

    /** {@code child dir role impl capacity size ...}: a producer or the echo process. */
    private static void child(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        String role = args[2], impl = args[3];
        int capacity = Integer.parseInt(args[4]), size = Integer.parseInt(args[5]);
        if (role.equals("produce")) {
            long producer = Long.parseLong(args[6]), records = Long.parseLong(args[7]);
            try (BenchRing ring = open(impl, dir, "ring", capacity, size, false)) {
                ready(dir);
                for (long seq = 0; seq < records; seq++) {
                    long value = producer << 48 | seq;
                    while (!ring.offer(value, size)) Thread.onSpinWait();
                }
            }
        } else {
            long roundTrips = Long.parseLong(args[6]);
            try (BenchRing ping = open(impl, dir, "ping", capacity, size, false);
                 BenchRing pong = open(impl, dir, "pong", capacity, size, false)) {
                ready(dir);
                long[] value = new long[1];
                for (long i = 0; i < roundTrips; i++) {
                    while (ping.drain(v -> value[0] = v, 1) == 0) Thread.onSpinWait();
                    while (!pong.offer(value[0], size)) Thread.onSpinWait();
                }
            }
        }
    }

    /** Says this child is ready, then waits for the go file (JVM start-up stays out of the measurement). */
    private static void ready(Path dir) throws InterruptedException {
        try {
            Files.createFile(dir.resolve("ready-" + ProcessHandle.current().pid()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        while (!Files.exists(dir.resolve("go"))) Thread.sleep(1);
    }

    private static void awaitReady(Path dir, List<Process> children) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (var files = Files.list(dir)) {
                long ready = files.filter(f -> f.getFileName().toString().startsWith("ready-")).count();
                if (ready >= children.size()) return;
            }
            for (Process c : children) {
                if (!c.isAlive()) throw new IllegalStateException("a child process ended (exit " + c.exitValue()
                        + ") before it was ready");
            }
            if (System.nanoTime() > deadline) throw new IllegalStateException("the child processes did not start in 60 s");
            Thread.sleep(5);
        }
    }

    private static Process start(Path dir, String role, String impl, String... more) {
        return Jvm.main(RingDriver.class).jvmOptions(JvmFlags.AGRONA, "-XX:+UseSerialGC")
                .args("child", dir.toString(), role, impl).args(more).inheritIO().endWithParent().start().process();
    }
}
