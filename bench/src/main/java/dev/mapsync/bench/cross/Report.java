package dev.mapsync.bench.cross;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mapsync.MapSyncException;
import dev.mapsync.bench.ring.RingDriver;
import dev.mapsync.bench.startup.StartupBench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cross-process benchmarks JMH cannot run, each against the peer users would pick today, measured in the same
 * run: notification round trips (against a pipe, a UNIX socket and busy-spinning), many processes incrementing one
 * counter (against Agrona's UnsafeBuffer, and a sharded counter against both), two processes contending for a lock (against FileChannel.lock and glibc's robust process-shared mutex), and the
 * shared-memory ring's throughput and round trip (against Agrona's ManyToOneRingBuffer); on request
 * ({@code --replication}), a read replica's lag and throughput (against Aeron alone on the same link). Prints a
 * table of ratios; {@code --json FILE} also writes every figure (the input of {@link Charts}); {@code --json -}
 * writes them to stdout and the table to stderr.
 * Run: {@code bin/mapsync bench [--quick] [--counters] [--replication] [--json]}, or
 * {@code java --enable-native-access=ALL-UNNAMED --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED
 * -cp bench/target/benchmarks.jar dev.mapsync.bench.cross.Report [--quick] [--json FILE]}.
 */
public final class Report {
    /**
     * One line of the table.
     *
     * @param higherIsBetter true for rates, false for times
     */
    public record Row(String benchmark, String unit, double mapsync, String peer, double peerValue, boolean higherIsBetter) {
        /** mapsync's figure over the peer's. */
        public double ratio() {
            return mapsync / peerValue;
        }
    }

    /** Every figure of one run. */
    public record Results(List<Row> rows, List<PingPongBench.Result> latency, List<CounterBench.Result> counters,
                          List<LockContentionBench.Result> contention, List<RingDriver.Throughput> ringThroughput,
                          List<RingDriver.Latency> ringLatency, StartupBench.Results startup,
                          List<CounterBench.ReadCost> counterReads, List<Crossover> counterCrossover,
                          ReplicationBench.Results replication) {
        /**
         * True when every shared count came out exact, every ring record arrived once, in order, and a replica ended
         * equal to its leader's map.
         */
        public boolean exact() {
            return counters.stream().allMatch(CounterBench.Result::exact)
                    && contention.stream().allMatch(LockContentionBench.Result::exact)
                    && ringThroughput.stream().allMatch(t -> t.violations() == 0)
                    && (replication == null || replication.replicaEqual());
        }
    }

    public static void main(String[] args) throws Exception {
        boolean quick = List.of(args).contains("--quick");
        boolean startupOnly = List.of(args).contains("--startup");
        boolean noStartup = List.of(args).contains("--no-startup");
        boolean countersOnly = List.of(args).contains("--counters");
        boolean replicationOnly = List.of(args).contains("--replication");
        int json = List.of(args).indexOf("--json");
        String jsonTarget = json >= 0 && json + 1 < args.length ? args[json + 1] : null; // "-" is stdout
        Results results = startupOnly ? startupOnly(quick) : countersOnly ? countersOnly(quick)
                : replicationOnly ? replicationOnly(quick) : run(quick, !noStartup);
        printTable(results.rows(), jsonTarget != null && jsonTarget.equals("-") ? System.err : System.out);
        if (!results.exact()) {
            System.err.println(results.replication() != null && !results.replication().replicaEqual()
                    ? "WARNING: the replica did not end equal to its leader's map" : "WARNING: a shared count came out wrong");
        }
        if (jsonTarget != null) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("when", Instant.now().toString());
            doc.put("machine", machine());
            doc.put("quick", quick);
            doc.put("rows", results.rows());
            doc.put("percentiles", PingPongBench.PERCENTILES);
            doc.put("latency", results.latency());
            doc.put("counters", results.counters());
            doc.put("counter_reads", results.counterReads());
            doc.put("counter_crossover", results.counterCrossover());
            doc.put("contention", results.contention());
            doc.put("ring_throughput", results.ringThroughput());
            doc.put("ring_latency", results.ringLatency());
            doc.put("startup", results.startup());
            if (results.replication() != null) doc.put("replication", results.replication());
            doc.put("counts_exact", results.exact());
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            if (jsonTarget.equals("-")) {
                System.out.println(mapper.writeValueAsString(doc));
            } else {
                Path file = Path.of(jsonTarget).toAbsolutePath();
                Files.createDirectories(file.getParent());
                mapper.writeValue(file.toFile(), doc);
                System.err.println("wrote " + file);
            }
        }
        if (!results.exact()) System.exit(6);
    }

    /**
     * Runs every benchmark; {@code quick} makes it a smoke run of seconds. The start-up figures run the checkout's
     * built launcher and jars ({@code startup}), which the package phase makes after this module's tests.
     */
    public static Results run(boolean quick, boolean startup) throws Exception {
        long rounds = quick ? 5_000 : 50_000;
        long locks = quick ? 50_000 : 500_000;
        List<Row> rows = new ArrayList<>();

        System.err.println("notification round trips (" + rounds + " per mode)...");
        List<PingPongBench.Result> latency = PingPongBench.run(List.of("notify", "notify-spin", "spin", "pipe", "socket"), rounds);
        Map<String, PingPongBench.Result> byMode = new LinkedHashMap<>();
        latency.forEach(r -> byMode.put(r.mode(), r));
        for (String peer : List.of("pipe", "socket")) {
            rows.add(new Row("round trip p50, notify vs " + peer, "us", byMode.get("notify").p50() / 1e3, peer,
                    byMode.get(peer).p50() / 1e3, false));
            rows.add(new Row("round trip p99, notify vs " + peer, "us", byMode.get("notify").p99() / 1e3, peer,
                    byMode.get(peer).p99() / 1e3, false));
        }
        rows.add(new Row("round trip p50, notify-spin vs busy-spin", "us", byMode.get("notify-spin").p50() / 1e3, "spin",
                byMode.get("spin").p50() / 1e3, false));

        List<CounterBench.Result> counters = counters(quick ? 500_000 : 5_000_000, rows);
        List<CounterBench.ReadCost> reads = counterReads(quick, rows);
        List<Crossover> crossover = crossover(counters, reads);

        System.err.println("lock contention (" + locks + " lock/unlock per process)...");
        boolean glibc = GlibcMutex.available();
        List<LockContentionBench.Result> contention = LockContentionBench.run(
                glibc ? List.of("mapsync", "flock", "glibc") : List.of("mapsync", "flock"), locks);
        rows.add(new Row("2 processes contending for one lock", "Mops/s", contention.get(0).opsPerSecond() / 1e6,
                "FileChannel.lock", contention.get(1).opsPerSecond() / 1e6, true));
        if (glibc) {
            LockContentionBench.Result m = contention.get(0), g = contention.get(2);
            rows.add(new Row("2 processes contending for one lock", "Mops/s", m.opsPerSecond() / 1e6,
                    "glibc robust mutex", g.opsPerSecond() / 1e6, true));
            rows.add(new Row("  fairness (slower's acquisitions per faster's)", "share", m.fairness(),
                    "glibc robust mutex", g.fairness(), true));
            long single = locks * 10;
            LockContentionBench.Uncontended u = LockContentionBench.uncontended(single);
            double glibcNanos = GlibcMutex.uncontended(single);
            rows.add(new Row("uncontended lock + increment + unlock", "ns", u.mapsyncNanos(), "glibc robust mutex",
                    glibcNanos, false));
            rows.add(new Row("uncontended lock + increment + unlock, bare segment lock", "ns", u.bareNanos(),
                    "glibc robust mutex", glibcNanos, false));
        } else {
            System.err.println("  glibc robust mutex: skipped, " + GlibcMutex.whyUnavailable());
        }

        long records = quick ? 200_000 : 5_000_000;
        long trips = quick ? 20_000 : 1_000_000;
        System.err.println("rings (" + records + " records per producer, " + trips + " round trips)...");
        List<RingDriver.Throughput> ringThroughput = new ArrayList<>();
        for (int size : List.of(32, 256)) {
            RingDriver.Throughput m = RingDriver.throughput("mapsync", size, 2, records);
            RingDriver.Throughput a = RingDriver.throughput("agrona", size, 2, records);
            ringThroughput.add(m);
            ringThroughput.add(a);
            rows.add(new Row("ring, 2 producer processes, " + size + " B records", "Mrec/s", m.recordsPerSecond() / 1e6,
                    "Agrona ManyToOne", a.recordsPerSecond() / 1e6, true));
        }
        List<RingDriver.Latency> ringLatency = new ArrayList<>();
        for (int size : List.of(32, 256)) {
            RingDriver.Latency m = RingDriver.latency("mapsync", size, trips);
            RingDriver.Latency a = RingDriver.latency("agrona", size, trips);
            ringLatency.add(m);
            ringLatency.add(a);
            rows.add(new Row("ring round trip p50, " + size + " B records", "us", m.p50() / 1e3, "Agrona ManyToOne",
                    a.p50() / 1e3, false));
            rows.add(new Row("ring round trip p99, " + size + " B records", "us", m.p99() / 1e3, "Agrona ManyToOne",
                    a.p99() / 1e3, false));
        }
        kernelRing(rows);
        StartupBench.Results startupResults = startup ? startup(quick, rows) : null;
        return new Results(rows, latency, counters, contention, ringThroughput, ringLatency, startupResults, reads,
                crossover, null);
    }

    /**
     * The counter figures alone ({@code --counters}): one slot against a sharded counter, and reading them; with 20
     * million adds per process (not quick), so that a 4-process run lasts long enough to time well.
     */
    static Results countersOnly(boolean quick) throws Exception {
        List<Row> rows = new ArrayList<>();
        List<CounterBench.Result> counters = counters(quick ? 500_000 : 20_000_000, rows);
        List<CounterBench.ReadCost> reads = counterReads(quick, rows);
        return new Results(rows, List.of(), counters, List.of(), List.of(), List.of(), null, reads,
                crossover(counters, reads), null);
    }

    /**
     * P processes adding to one counter: one contended mapsync slot against Agrona's, and a sharded counter
     * ({@code SharedCounters}, a cell per process) against each of them; adds their rows.
     */
    private static List<CounterBench.Result> counters(long counts, List<Row> rows) throws Exception {
        System.err.println("counters (" + counts + " increments per process)...");
        List<CounterBench.Result> counters = CounterBench.run(List.of("sharded", "mapsync", "agrona", "ffm", "ffm-field"),
                List.of(1, 2, 4), counts);
        for (int p : List.of(1, 2, 4)) {
            rows.add(new Row(p + " processes incrementing one counter", "Mops/s", rate(counters, "mapsync", p) / 1e6,
                    "agrona", rate(counters, "agrona", p) / 1e6, true));
            rows.add(new Row(p + " processes incrementing one counter, JDK VarHandle", "Mops/s",
                    rate(counters, "ffm", p) / 1e6, "agrona", rate(counters, "agrona", p) / 1e6, true));
            rows.add(new Row(p + " processes incrementing one counter, VarHandle, segment in a field", "Mops/s",
                    rate(counters, "ffm-field", p) / 1e6, "agrona", rate(counters, "agrona", p) / 1e6, true));
        }
        for (int p : List.of(1, 2, 4)) {
            rows.add(new Row(p + " processes adding, sharded vs one slot", "Mops/s", rate(counters, "sharded", p) / 1e6,
                    "mapsync one slot", rate(counters, "mapsync", p) / 1e6, true));
            rows.add(new Row(p + " processes adding, sharded vs Agrona", "Mops/s", rate(counters, "sharded", p) / 1e6,
                    "agrona one slot", rate(counters, "agrona", p) / 1e6, true));
        }
        return counters;
    }

    /** What reading a sharded counter's sum costs against one slot's read, by cells; adds their rows. */
    private static List<CounterBench.ReadCost> counterReads(boolean quick, List<Row> rows) throws Exception {
        System.err.println("reading counters...");
        List<CounterBench.ReadCost> reads = CounterBench.readCosts(List.of(1, 2, 4), quick ? 200_000 : 2_000_000);
        for (CounterBench.ReadCost c : reads) {
            rows.add(new Row("read: sum of " + c.cells() + " cells vs one slot", "ns", c.sumNanos(), "mapsync getVolatile",
                    c.slotReadNanos(), false));
        }
        CounterBench.ReadCost one = reads.getFirst();
        rows.add(new Row("uncontended add: sharded vs getAndAdd", "ns", one.shardedAddNanos(), "mapsync getAndAdd",
                one.slotAddNanos(), false));
        return reads;
    }

    /**
     * Where one slot is the better choice, at P processes: each process's time per add on one slot ({@code P / rate})
     * and on a sharded counter, and the reads per add (of the value, by any process) at which the sharded counter's
     * dearer reads eat its cheaper adds: {@code (slot add - sharded add) / (sum - slot read)}. Below it the sharded
     * counter wins; above it, and wherever one slot's add is the cheaper, one slot does.
     *
     * @param breakEvenReadsPerAdd 0 when one slot's adds are as cheap or cheaper (one slot wins at any read rate)
     */
    public record Crossover(int processes, double slotAddNanos, double shardedAddNanos, double sumNanos,
                            double slotReadNanos, double breakEvenReadsPerAdd) {}

    private static List<Crossover> crossover(List<CounterBench.Result> counters, List<CounterBench.ReadCost> reads) {
        List<Crossover> out = new ArrayList<>();
        for (CounterBench.ReadCost c : reads) {
            int p = c.cells();
            double slot = p / rate(counters, "mapsync", p) * 1e9, sharded = p / rate(counters, "sharded", p) * 1e9;
            double extra = Math.max(c.sumNanos() - c.slotReadNanos(), 1e-3);
            double breakEven = slot <= sharded ? 0 : (slot - sharded) / extra;
            out.add(new Crossover(p, slot, sharded, c.sumNanos(), c.slotReadNanos(), breakEven));
            System.err.printf("  %d processes: an add costs each %.2f ns on one slot, %.2f ns sharded; a read %.2f ns"
                    + " (sum of %d cells) against %.2f ns: %s%n", p, slot, sharded, c.sumNanos(), p, c.slotReadNanos(),
                    breakEven == 0 ? "one slot wins at any read rate"
                            : String.format("sharded wins below %.1f reads per add, one slot above", breakEven));
        }
        return out;
    }

    /** How fast mapsync's and libbpf's consumers empty a filled kernel ring ({@link KernelRingBench}), as rows. */
    private static void kernelRing(List<Row> rows) throws Exception {
        String why = KernelRingBench.whyUnavailable();
        List<KernelRingBench.Result> k = null;
        if (why == null) {
            System.err.println("kernel ring consumers (a filled 16 MiB ring, 4 times in each consumer)...");
            try {
                k = KernelRingBench.run();
            } catch (MapSyncException e) {
                why = e.getMessage();
            }
        }
        if (k == null) {
            System.err.println("  kernel ring consumers: skipped, " + why);
            return;
        }
        // mapsync next first, warm; drain first, warm; libbpf first, warm
        for (int i = 0; i < 4; i++) {
            KernelRingBench.Result m = k.get(i), peer = k.get(4 + i % 2);
            rows.add(new Row("kernel ring backlog, " + m.consumer(), "Mrec/s", m.recordsPerSecond() / 1e6,
                    "libbpf ring_buffer__poll", peer.recordsPerSecond() / 1e6, true));
        }
    }

    /** The start-up figures alone ({@code --startup}). */
    static Results startupOnly(boolean quick) throws Exception {
        List<Row> rows = new ArrayList<>();
        StartupBench.Results startup = startup(quick, rows);
        return new Results(rows, List.of(), List.of(), List.of(), List.of(), List.of(), startup, List.of(), List.of(),
                null);
    }

    /**
     * The replication figures alone ({@code --replication}, {@link ReplicationBench}): a read replica's lag at paced
     * rates, and the rate it keeps up with against Aeron's own on the same link, as rows; the whole of its figures
     * in the JSON. Quick: a second per rate and per throughput.
     */
    static Results replicationOnly(boolean quick) throws Exception {
        ReplicationBench.Options d = ReplicationBench.Options.defaults();
        ReplicationBench.Options o = quick
                ? new ReplicationBench.Options(d.rates(), 1, 1, 1, 1, d.rawRecorded(), d.entries(), d.changelog(),
                        d.snapshotEvery(), null)
                : d;
        System.err.println("replication (paced writers at " + o.rates() + " changes/s, " + o.seconds()
                + " s each; an unpaced one and Aeron alone, " + o.throughputSeconds() + " s)...");
        ReplicationBench.Results r = ReplicationBench.run(o, System.err);
        List<Row> rows = new ArrayList<>();
        if (r.throughput() != null && !r.raw().isEmpty()) {
            RawAeronBench.Result aeron = r.raw().getFirst();
            rows.add(new Row("replica keeps up with, " + r.messageBytes() + " B messages", "Mmsg/s",
                    r.throughput().followerRate() / 1e6, "Aeron alone", aeron.messagesPerSecond() / 1e6, true));
            if (r.raw().size() > 1) {
                RawAeronBench.Result recorded = r.raw().get(1);
                rows.add(new Row("replica keeps up with, " + r.messageBytes() + " B messages", "Mmsg/s",
                        r.throughput().followerRate() / 1e6, "Aeron, recorded", recorded.messagesPerSecond() / 1e6, true));
            }
        }
        return new Results(rows, List.of(), List.of(), List.of(), List.of(), List.of(), null, List.of(), List.of(), r);
    }

    /** Whole-process start-up of each command against the JVM's own, flock(1) and bpftool; adds their rows. */
    private static StartupBench.Results startup(boolean quick, List<Row> rows) throws Exception {
        int rounds = quick ? 5 : 20;
        System.err.println("start-up (" + rounds + " interleaved rounds of each command)...");
        StartupBench.Results s = StartupBench.run(rounds);
        StartupBench.Figure java = s.get(StartupBench.JAVA_VERSION);
        for (StartupBench.Figure f : s.commands()) {
            if (!f.command().startsWith("mapsync") && !f.command().startsWith("floor")) continue;
            StartupBench.Figure peer = f.command().equals(StartupBench.BPF_GET) ? s.get(StartupBench.BPFTOOL) : java;
            rows.add(new Row("start-up: " + f.command(), "ms", f.median(), peer.command(), peer.median(), false));
        }
        StartupBench.Figure lock = s.get("mapsync lock s 0 -- true");
        StartupBench.Figure flock = s.get(StartupBench.FLOCK);
        rows.add(new Row("start-up: mapsync lock s 0 -- true", "ms", lock.median(), flock.command(), flock.median(), false));
        for (StartupBench.Figure f : s.commands()) {
            System.err.printf("  %-36s median %7.1f ms  range %7.1f - %7.1f ms (%d runs)%n", f.command(), f.median(),
                    f.min(), f.max(), f.runs());
        }
        StartupBench.FirstCallFigure api = s.api();
        System.err.printf("  Java API in a fresh JVM (median of %d): open %.1f ms, first get %.2f ms, first lock %.2f ms,"
                + " whole process %.1f ms%n", api.runs(), api.open(), api.firstGet(), api.firstLock(), api.process());
        if (!s.skipped().isEmpty()) System.err.println("  " + s.skipped());
        return s;
    }

    private static double rate(List<CounterBench.Result> results, String mode, int processes) {
        return results.stream().filter(r -> r.mode().equals(mode) && r.processes() == processes).findFirst()
                .orElseThrow().opsPerSecond();
    }

    static void printTable(List<Row> rows, java.io.PrintStream out) {
        out.printf("%-44s %-16s  %-18s %-16s  %s%n", "benchmark", "mapsync", "peer", "peer value", "mapsync / peer");
        for (Row r : rows) {
            out.printf("%-44s %9.2f %-6s  %-18s %9.2f %-6s  %5.2fx (%s is better)%n", r.benchmark(), r.mapsync(),
                    r.unit(), r.peer(), r.peerValue(), r.unit(), r.ratio(), r.higherIsBetter() ? "higher" : "lower");
        }
    }

    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("java", Runtime.version().toString());
        try {
            m.put("cpu", Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("unknown"));
        } catch (java.io.IOException e) {
            m.put("cpu", "unknown");
        }
        return m;
    }
}
