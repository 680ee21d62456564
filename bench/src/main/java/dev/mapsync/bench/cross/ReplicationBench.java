package dev.mapsync.bench.cross;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mapsync.ArraySpec;
import dev.mapsync.ChangeCursor;
import dev.mapsync.ChangeEvent;
import dev.mapsync.Codec;
import dev.mapsync.Change;
import dev.mapsync.LongSlots;
import dev.mapsync.MapLocation;
import dev.mapsync.MapNotFoundException;
import dev.mapsync.MapSpec;
import dev.mapsync.MissedChanges;
import dev.mapsync.SharedArray;
import dev.mapsync.launch.UdpPorts;
import dev.mapsync.replicate.Follower;
import dev.mapsync.replicate.Leader;
import dev.mapsync.replicate.ReplicationStatus;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * How far behind its leader a read replica is, as a reader of the replica sees it, and how many changes a second the
 * replica keeps up with, against Aeron's own throughput on the same link. Three processes on this host, the
 * replication running over UDP on loopback:
 * <ul>
 *   <li>this one: the writer, which sets entries of an array on the leader's side, and the {@link Leader} of that
 *       array (its change cursor, publication, media driver and archive);</li>
 *   <li>the follower: a {@link Follower} (with its own media driver) that applies the stream to a replica;</li>
 *   <li>the reader: a process that watches the replica through its change cursor, as any local reader of a replica
 *       would ({@link SharedArray#changes()}, sleeping in the kernel between changes), reads each changed entry and
 *       records how long ago the writer set it.</li>
 * </ul>
 * The array holds {@link Stamp}s (16-byte records, so that each set takes the entry's lock, as any record write does):
 * the writer's intended time for the write (from a fixed schedule at the paced rate)
 * and the time just before its {@code set}, both {@link System#nanoTime()} (CLOCK_MONOTONIC, which every process of a
 * host shares). So each value seen gives two lags: from the set (the replication alone) and from the intended time
 * (which adds the writer's own lateness, so that a writer that falls behind its schedule does not hide the delay:
 * no coordinated omission). Writes go to entries 0, 1, 2, ... in turn; the writer sleeps ({@link LockSupport#parkNanos})
 * until a write is due, and makes every write that is due when it wakes. A value is counted once, when the reader
 * first sees it; a value overwritten before the leader read it (the leader sends an entry's current value) is
 * counted as superseded. Before each phase but the warm-up, the writer pauses for a second and until the follower
 * has applied all the leader sent, so that no phase pays for the one before it.
 *
 * <p>Then the writer writes as fast as it can for a while ({@code --throughput-seconds}), and the follower's own count
 * of applied messages over that time gives the rate the replica keeps up with; last, {@link RawAeronBench} gives
 * Aeron's rate for messages of the same size ({@value #MESSAGE_BYTES} bytes: the 32-byte header, the 4-byte index,
 * the 16-byte value) between two processes over the same kind of channel, without and with an archive recording it.
 *
 * <p>Run: {@code java --enable-native-access=ALL-UNNAMED --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED
 * -cp bench/target/benchmarks.jar dev.mapsync.bench.cross.ReplicationBench [--rates 10000,100000,1000000]
 * [--seconds 5] [--warmup 3] [--throughput-seconds 5] [--raw-seconds 5] [--entries 65536] [--changelog 65536]
 * [--json FILE]}; {@code --json -} writes the JSON to stdout and the table to stderr; {@code --rates none} and
 * {@code --throughput-seconds 0} leave the replication out (Aeron alone). {@code aeron.*} system properties given to
 * this JVM are given to its children too, so that {@code -Daeron.shared.idle.strategy=...} sets every media driver.
 * {@code --summarize FILE...} prints the median and range of the figures of several runs' JSON files (or of the
 * runs of a file that holds them as {@code {"runs": [...]}}).
 */
public final class ReplicationBench {
    /**
     * An entry's value: when the writer meant to write it and when it did, both {@link System#nanoTime()}.
     *
     * @param intended the write's time in the writer's schedule
     * @param set      the time just before the writer's {@code set}
     */
    public record Stamp(long intended, long set) {}

    /** A replication message of an entry of this array: header, index, value. */
    public static final int MESSAGE_BYTES = 32 + 4 + 16;

    private static final String MAP = "replicated";
    private static final long MAX_NANOS = 3_600_000_000_000L;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final long SETTLE_MILLIS = 1000;

    // the slots of the control map the three processes share
    private static final int STOP = 0, READER_READY = 1, PHASE = 2, PHASE_FIRST = 3, PHASE_LAST = 4,
            PHASE_LAST_INDEX = 5, READER_DONE = 6, CONTROL_SLOTS = 8;

    /**
     * What to run.
     *
     * @param rates             the paced writers' rates, changes per second
     * @param seconds           how long each paced writer writes
     * @param warmup            seconds of writing at 100,000 changes/s (or the highest rate, if lower) first, not counted
     * @param throughputSeconds how long the unpaced writer writes (0: not at all)
     * @param rawSeconds        how long Aeron alone is counted (0: not at all)
     * @param rawRecorded       whether Aeron alone is also measured with an archive recording the publication
     * @param entries           the array's entries
     * @param changelog         the array's change log capacity (and so its replica's)
     * @param snapshotEvery     the leader's changes between snapshots
     * @param archiveDir        where the leader's archive records (null: a new directory in java.io.tmpdir)
     */
    public record Options(List<Integer> rates, double seconds, double warmup, double throughputSeconds,
                          double rawSeconds, boolean rawRecorded, int entries, int changelog, long snapshotEvery,
                          String archiveDir) {
        public static Options defaults() {
            return new Options(List.of(10_000, 100_000, 1_000_000), 5, 3, 5, 5, true, 65_536, 65_536,
                    Leader.DEFAULT_SNAPSHOT_EVERY, null);
        }
    }

    /** Percentiles of a histogram, in nanoseconds. */
    public record Percentiles(long p50, long p90, long p99, long p999, long max) {
        static Percentiles of(Histogram h) {
            if (h.getTotalCount() == 0) return new Percentiles(0, 0, 0, 0, 0);
            return new Percentiles(h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(99),
                    h.getValueAtPercentile(99.9), h.getMaxValue());
        }
    }

    /**
     * One paced rate.
     *
     * @param writes       the writes made
     * @param achievedRate writes per second, from the schedule's start to the last write
     * @param writerLate   how late each write was against its schedule
     * @param seen         values the reader saw (each once)
     * @param superseded   writes whose value the reader never saw: overwritten before the leader read the entry
     * @param repeats      changes the reader was told of whose value it had seen already (the leader sends an entry's
     *                     current value, and a snapshot sends them all again)
     * @param stale        values older than one the reader had seen of the same entry (must be 0)
     * @param missed       changes the reader's cursor missed (its change log overflowed)
     * @param snapshots    snapshots the follower applied from the phase's start to the reader's end of it
     * @param leaderRate   messages per second the leader sent while the writer wrote (its status, every 200 ms)
     * @param followerRate messages per second the follower applied while the writer wrote (its status file, every
     *                     100 ms)
     * @param lagFromSet   from the writer's set to the reader's read of the value
     * @param lagFromIntended from the write's intended time to the reader's read
     * @param cpus         CPUs each process used while the writer wrote
     * @param machine      CPUs the whole machine used meanwhile, and how many of them were other processes'
     * @param threads      the busiest threads' share of a CPU meanwhile
     */
    public record Paced(int rate, double seconds, long writes, double achievedRate, Percentiles writerLate, long seen,
                        long superseded, long repeats, long stale, long missed, long snapshots, double leaderRate,
                        double followerRate, Percentiles lagFromSet,
                        Percentiles lagFromIntended, Map<String, Double> cpus, ThreadCpu.Machine machine,
                        List<ThreadCpu.Share> threads) {}

    /**
     * The unpaced writer.
     *
     * @param writerRate       the writer's sets per second
     * @param leaderRate       messages per second the leader sent over the counted window (its status, every 200 ms)
     * @param followerRate     messages per second the follower applied over the counted window (its status file,
     *                         every 100 ms): the rate the replica keeps up with
     * @param followerMessages messages the follower applied in the window
     * @param windowSeconds    the window, between two of the follower's status updates
     * @param snapshots        snapshots the follower applied in the window
     * @param readerSeen       new values the reader saw, in the whole phase
     * @param readerRate       new values the reader saw per second, from its first to its last
     * @param missed           changes the reader's cursor missed
     * @param lag              from set to the reader's read (intended = set: there is no schedule)
     */
    public record Throughput(double seconds, long writes, double writerRate, double leaderRate, double followerRate,
                             long followerMessages, double windowSeconds, long snapshots, long readerSeen,
                             double readerRate, long missed, long stale, Percentiles lag, Map<String, Double> cpus,
                             ThreadCpu.Machine machine, List<ThreadCpu.Share> threads) {}

    /**
     * Everything of one run.
     *
     * @param ratio          the follower's applied messages per second over Aeron's alone (0 when either is missing)
     * @param ratioRecorded  the same over Aeron's with an archive recording the publication, as a leader's does
     * @param replicaEqual   whether the replica ended equal to the leader's map, entry by entry
     * @param loadBefore     /proc/loadavg when the run began
     * @param loadAfter      /proc/loadavg when it ended
     */
    public record Results(String when, Map<String, Object> machine, String loadBefore, String loadAfter,
                          Options options, int messageBytes, String layout,
                          List<Paced> paced, Throughput throughput, List<RawAeronBench.Result> raw, double ratio,
                          double ratioRecorded, boolean replicaEqual) {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0) {
            switch (args[0]) {
                case "follower" -> {
                    follower(Path.of(args[1]), args[2]);
                    return;
                }
                case "reader" -> {
                    reader(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
                    return;
                }
                case "--summarize" -> {
                    summarize(List.of(args).subList(1, args.length).stream().map(Path::of).toList(), System.out);
                    return;
                }
                default -> { }
            }
        }
        Options o = Options.defaults();
        String json = null;
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--rates" -> o = new Options(v.equals("none") ? List.of()
                                : Stream.of(v.split(",")).map(s -> Integer.parseInt(s.replace("_", ""))).toList(),
                        o.seconds(), o.warmup(), o.throughputSeconds(), o.rawSeconds(), o.rawRecorded(), o.entries(),
                        o.changelog(), o.snapshotEvery(), o.archiveDir());
                case "--seconds" -> o = new Options(o.rates(), Double.parseDouble(v), o.warmup(), o.throughputSeconds(),
                        o.rawSeconds(), o.rawRecorded(), o.entries(), o.changelog(), o.snapshotEvery(), o.archiveDir());
                case "--warmup" -> o = new Options(o.rates(), o.seconds(), Double.parseDouble(v), o.throughputSeconds(),
                        o.rawSeconds(), o.rawRecorded(), o.entries(), o.changelog(), o.snapshotEvery(), o.archiveDir());
                case "--throughput-seconds" -> o = new Options(o.rates(), o.seconds(), o.warmup(), Double.parseDouble(v),
                        o.rawSeconds(), o.rawRecorded(), o.entries(), o.changelog(), o.snapshotEvery(), o.archiveDir());
                case "--raw-seconds" -> o = new Options(o.rates(), o.seconds(), o.warmup(), o.throughputSeconds(),
                        Double.parseDouble(v), o.rawRecorded(), o.entries(), o.changelog(), o.snapshotEvery(), o.archiveDir());
                case "--raw-recorded" -> o = new Options(o.rates(), o.seconds(), o.warmup(), o.throughputSeconds(),
                        o.rawSeconds(), Boolean.parseBoolean(v), o.entries(), o.changelog(), o.snapshotEvery(), o.archiveDir());
                case "--entries" -> o = new Options(o.rates(), o.seconds(), o.warmup(), o.throughputSeconds(),
                        o.rawSeconds(), o.rawRecorded(), Integer.parseInt(v.replace("_", "")), o.changelog(),
                        o.snapshotEvery(), o.archiveDir());
                case "--changelog" -> o = new Options(o.rates(), o.seconds(), o.warmup(), o.throughputSeconds(),
                        o.rawSeconds(), o.rawRecorded(), o.entries(), Integer.parseInt(v.replace("_", "")),
                        o.snapshotEvery(), o.archiveDir());
                case "--snapshot-every" -> o = new Options(o.rates(), o.seconds(), o.warmup(), o.throughputSeconds(),
                        o.rawSeconds(), o.rawRecorded(), o.entries(), o.changelog(), Long.parseLong(v.replace("_", "")),
                        o.archiveDir());
                case "--archive-dir" -> o = new Options(o.rates(), o.seconds(), o.warmup(), o.throughputSeconds(),
                        o.rawSeconds(), o.rawRecorded(), o.entries(), o.changelog(), o.snapshotEvery(), v);
                case "--json" -> json = v;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
            i++;
        }
        PrintStream table = "-".equals(json) ? System.err : System.out;
        Results r = run(o, table);
        if (json != null) {
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            if (json.equals("-")) {
                System.out.println(mapper.writeValueAsString(r));
            } else {
                Path file = Path.of(json).toAbsolutePath();
                Files.createDirectories(file.getParent());
                mapper.writeValue(file.toFile(), r);
            }
        }
        if (!r.replicaEqual()) {
            System.err.println("WARNING: the replica did not end equal to the leader's map");
            System.exit(6);
        }
    }

    /** Runs every part of the benchmark, printing each figure to {@code out} as it comes. */
    public static Results run(Options o, PrintStream out) throws Exception {
        if (o.rates().stream().anyMatch(r -> r < 1)) throw new IllegalArgumentException("rates must be positive");
        boolean replication = !o.rates().isEmpty() || o.throughputSeconds() > 0;
        String loadBefore = loadAverage();
        Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "mapsync-replication-");
        Path archive = o.archiveDir() != null ? Files.createDirectories(Path.of(o.archiveDir()))
                : Files.createTempDirectory("mapsync-replication-archive-");
        String layout = "writer + leader (media driver, archive) in one process; follower (its own media driver) in"
                + " a second; the reader of the replica in a third; UDP on loopback";
        out.printf(Locale.ROOT, "replication: an array of %,d %d-byte values (change log %,d), %d-byte messages, %s;"
                        + " Java %s, %d CPUs%n", o.entries(), 16, o.changelog(), MESSAGE_BYTES, layout,
                Runtime.version(), Runtime.getRuntime().availableProcessors());
        List<Paced> paced = new ArrayList<>();
        List<Process> children = new ArrayList<>();
        Replicated replicated = new Replicated(null, true); // nothing to compare without replication
        try {
            if (replication) replicated = replicate(o, dir, archive, out, paced, children);
        } finally {
            for (Process c : children) c.destroyForcibly();
            delete(dir);
            if (o.archiveDir() == null) delete(archive);
        }
        Throughput throughput = replicated.throughput();
        boolean equal = replicated.equal();
        List<RawAeronBench.Result> raw = new ArrayList<>();
        if (o.rawSeconds() > 0) {
            double warm = Math.min(1, o.rawSeconds() / 2);
            for (boolean recorded : o.rawRecorded() ? List.of(false, true) : List.of(false)) {
                Path rawArchive = Files.createTempDirectory("mapsync-raw-archive-");
                try {
                    RawAeronBench.Result r = RawAeronBench.run(recorded, MESSAGE_BYTES, warm, o.rawSeconds(), rawArchive);
                    raw.add(r);
                    out.printf(Locale.ROOT, "%-15s %d-byte messages, publisher unpaced: %,.0f messages/s over %.2f s; %s;"
                            + " busiest threads %s%n", r.mode(), r.messageBytes(), r.messagesPerSecond(), r.seconds(),
                            machine(r.machine()), shares(r.cpu(), 6));
                } finally {
                    delete(rawArchive);
                }
            }
        }
        double ratio = throughput != null && !raw.isEmpty() ? throughput.followerRate() / raw.getFirst().messagesPerSecond() : 0;
        double ratioRecorded = throughput != null && raw.size() > 1 ? throughput.followerRate() / raw.get(1).messagesPerSecond() : 0;
        if (ratio > 0) {
            out.printf(Locale.ROOT, "replica keeps up with %,.0f messages/s = %.2fx Aeron's own %,.0f on the same link%s%n",
                    throughput.followerRate(), ratio, raw.getFirst().messagesPerSecond(), ratioRecorded > 0
                            ? String.format(Locale.ROOT, ", %.2fx Aeron's recorded %,.0f", ratioRecorded, raw.get(1).messagesPerSecond())
                            : "");
        }
        return new Results(Instant.now().toString(), Report.machine(), loadBefore, loadAverage(), o, MESSAGE_BYTES,
                layout, paced, throughput, raw, ratio, ratioRecorded, equal);
    }

    private record Replicated(Throughput throughput, boolean equal) {}

    /** The replication's part: the three processes, the paced writers (into {@code paced}), the unpaced one. */
    private static Replicated replicate(Options o, Path dir, Path archive, PrintStream out, List<Paced> paced,
                                        List<Process> children) throws Exception {
        Throughput throughput = null;
        boolean equal;
        Path leaderDir = Files.createDirectories(dir.resolve("leader"));
        Files.createDirectories(dir.resolve("replica"));
        ArraySpec<Stamp> spec = spec(leaderDir, o.entries(), o.changelog());
        String listen = "127.0.0.1:" + UdpPorts.freePair();
        MapLocation replicaAt = MapSpec.existing(MAP).dir(dir.resolve("replica"));
        try (SharedArray<Long> control = SharedArray.create(controlSpec(dir));
             SharedArray<Stamp> map = SharedArray.create(spec);
             Leader leader = Leader.serve(spec.location(), listen, archive, o.snapshotEvery())) {
            LongSlots ctl = control.longs();
            Process follower = Child.start(ReplicationBench.class, aeronProperties(), "follower", dir.toString(), listen);
            children.add(follower);
            await("the follower to be live", follower, () -> ReplicationStatus.of(replicaAt)
                    .map(s -> s.state().equals("live")).orElse(false));
            Process reader = Child.start(ReplicationBench.class, aeronProperties(), "reader", dir.toString(),
                    Integer.toString(o.entries()), Integer.toString(o.changelog()));
            children.add(reader);
            await("the reader to subscribe", reader, () -> ctl.getAcquire(READER_READY) == 1);
            Map<String, Long> pids = new LinkedHashMap<>();
            pids.put("writer+leader", ProcessHandle.current().pid());
            pids.put("follower", follower.pid());
            pids.put("reader", reader.pid());
            Writer writer = new Writer(map, ctl, dir, o.entries(), pids, reader);
            if (o.warmup() > 0) {
                int rate = Math.min(100_000, o.rates().stream().max(Integer::compare).orElse(100_000));
                Paced w = writer.paced(rate, o.warmup(), replicaAt, leader);
                out.printf(Locale.ROOT, "warm-up at %,d/s for %s s: lag from set p50 %s, p99 %s%n", rate,
                        o.warmup(), micros(w.lagFromSet().p50()), micros(w.lagFromSet().p99()));
            }
            for (int rate : o.rates()) {
                settle(replicaAt, follower);
                Paced p = writer.paced(rate, o.seconds(), replicaAt, leader);
                paced.add(p);
                print(p, out);
            }
            if (o.throughputSeconds() > 0) {
                settle(replicaAt, follower);
                throughput = writer.unpaced(o.throughputSeconds(), replicaAt, leader);
                print(throughput, out);
            }
            equal = awaitEqual(map, dir.resolve("replica"), o);
            out.println("replica equal to the leader's map at the end: " + (equal ? "yes" : "NO"));
            if (leader.failure() != null) throw new IllegalStateException("the leader failed", leader.failure());
            ctl.setRelease(STOP, 1);
            for (Process c : children) {
                if (!c.waitFor(30, TimeUnit.SECONDS) || c.exitValue() != 0) {
                    throw new IllegalStateException("a child process failed (exit " + (c.isAlive() ? "none" : c.exitValue()) + ")");
                }
            }
        }
        return new Replicated(throughput, equal);
    }

    static ArraySpec<Stamp> spec(Path dir, int entries, int changelog) {
        return MapSpec.array(MAP, Codec.record(Stamp.class), entries).dir(dir).changelogCapacity(changelog);
    }

    private static ArraySpec<Long> controlSpec(Path dir) {
        return MapSpec.array("control", Codec.i64(), CONTROL_SLOTS).dir(dir);
    }

    /** The writer, in this process, and its side of each phase. */
    private static final class Writer {
        private final SharedArray<Stamp> map;
        private final LongSlots ctl;
        private final Path dir;
        private final int entries;
        private final Map<String, Long> pids;
        private final Process reader;
        private long next;
        private int phase;

        Writer(SharedArray<Stamp> map, LongSlots ctl, Path dir, int entries, Map<String, Long> pids, Process reader) {
            this.map = map;
            this.ctl = ctl;
            this.dir = dir;
            this.entries = entries;
            this.pids = pids;
            this.reader = reader;
        }

        private long begin(long first) {
            phase++;
            ctl.setRelease(PHASE_LAST, 0);
            ctl.setRelease(PHASE_FIRST, first);
            ctl.setRelease(PHASE, phase);
            return first;
        }

        /** Ends the phase at its last write and waits for the reader to see it; returns the reader's figures. */
        private ReaderPhase end(int lastIndex, long lastIntended) throws Exception {
            ctl.setRelease(PHASE_LAST_INDEX, lastIndex);
            ctl.setRelease(PHASE_LAST, lastIntended);
            await("the reader to see phase " + phase + "'s last write", reader, () -> ctl.getAcquire(READER_DONE) == phase);
            return ReaderPhase.decode(Files.readString(dir.resolve("reader-" + phase)));
        }

        Paced paced(int rate, double seconds, MapLocation replicaAt, Leader leader) throws Exception {
            long n = Math.max(1, Math.round(rate * seconds));
            double nanosPer = 1e9 / rate;
            Histogram late = new Histogram(MAX_NANOS, 3);
            ReplicationStatus f0 = followerStatus(replicaAt), l0 = leader.status();
            long start = begin(System.nanoTime() + 1_000_000);
            ThreadCpu.Sample before = ThreadCpu.sample(pids);
            long lastSet = start, lastIntended = start;
            int lastIndex = 0;
            for (long i = 0; i < n; i++) {
                long due = start + (long) (i * nanosPer);
                long now = System.nanoTime();
                while (now < due) {
                    LockSupport.parkNanos(due - now);
                    now = System.nanoTime();
                }
                int k = (int) (next++ % entries);
                map.set(k, new Stamp(due, now));
                late.recordValue(Math.min(MAX_NANOS, now - due));
                lastSet = now;
                lastIntended = due;
                lastIndex = k;
            }
            ThreadCpu.Sample after = ThreadCpu.sample(pids);
            ReplicationStatus f1 = followerStatus(replicaAt), l1 = leader.status();
            double achieved = n * 1e9 / (lastSet - start + nanosPer);
            ReaderPhase r = end(lastIndex, lastIntended);
            long snapshots = followerStatus(replicaAt).snapshots() - f0.snapshots();
            return new Paced(rate, seconds, n, achieved, Percentiles.of(late), r.seen, n - r.seen, r.repeats, r.stale,
                    r.missed, snapshots, rate(l0, l1), rate(f0, f1), Percentiles.of(r.fromSet),
                    Percentiles.of(r.fromIntended),
                    ThreadCpu.perProcess(before, after), ThreadCpu.machine(before, after),
                    ThreadCpu.between(before, after, 0.02));
        }

        Throughput unpaced(double seconds, MapLocation replicaAt, Leader leader) throws Exception {
            long start = begin(System.nanoTime());
            long end = start + (long) (seconds * 1e9);
            long windowStart = start + (long) (Math.min(1.0, seconds / 4) * 1e9);
            ReplicationStatus f0 = null, l0 = null;
            ThreadCpu.Sample before = null;
            long n = 0, t = start;
            int k = 0;
            while (true) {
                for (int i = 0; i < 256; i++) {
                    t = System.nanoTime();
                    k = (int) (next++ % entries);
                    map.set(k, new Stamp(t, t));
                }
                n += 256;
                if (f0 == null && t >= windowStart) {
                    f0 = followerStatus(replicaAt);
                    l0 = leader.status();
                    before = ThreadCpu.sample(pids);
                }
                if (t >= end) break;
            }
            ReplicationStatus f1 = followerStatus(replicaAt), l1 = leader.status();
            ThreadCpu.Sample after = ThreadCpu.sample(pids);
            double writerRate = n * 1e9 / (t - start);
            ReaderPhase r = end(k, t);
            double window = Duration.between(f0.updated(), f1.updated()).toNanos() / 1e9;
            long applied = f1.changes() - f0.changes();
            double readerSeconds = (r.lastSeen - r.firstSeen) / 1e9;
            return new Throughput(seconds, n, writerRate, rate(l0, l1), rate(f0, f1), applied, window,
                    f1.snapshots() - f0.snapshots(), r.seen,
                    readerSeconds > 0 ? r.seen / readerSeconds : 0, r.missed, r.stale, Percentiles.of(r.fromSet),
                    ThreadCpu.perProcess(before, after), ThreadCpu.machine(before, after),
                    ThreadCpu.between(before, after, 0.02));
        }
    }

    /**
     * The pause between phases: a second without writes, and then until the follower's status (written every 100 ms)
     * says it has applied every message the leader sent. A snapshot the leader began in the phase before (after its
     * change log overwrote changes it had not read) ends meanwhile, so that no phase pays for the one before it.
     */
    private static void settle(MapLocation replicaAt, Process follower) throws Exception {
        Thread.sleep(SETTLE_MILLIS);
        await("the follower to apply everything the leader sent", follower, () -> {
            ReplicationStatus s = followerStatus(replicaAt);
            return s.lagChanges() == 0 && s.state().equals("live");
        });
    }

    /** {@return messages per second from one status to a later one of the same leader or follower (0 if none passed)} */
    private static double rate(ReplicationStatus before, ReplicationStatus after) {
        double seconds = Duration.between(before.updated(), after.updated()).toNanos() / 1e9;
        return seconds > 0 && before.epoch() == after.epoch() ? (after.changes() - before.changes()) / seconds : 0;
    }

    private static ReplicationStatus followerStatus(MapLocation replicaAt) {
        return ReplicationStatus.of(replicaAt).orElseThrow(() -> new IllegalStateException("the follower has no status"));
    }

    /** Waits until the replica equals the leader's map, entry by entry (the follower may still be applying). */
    private static boolean awaitEqual(SharedArray<Stamp> map, Path replicaDir, Options o) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        try (SharedArray<Stamp> replica = SharedArray.openReadOnly(spec(replicaDir, o.entries(), o.changelog()))) {
            while (true) {
                boolean equal = true;
                for (int i = 0; i < map.length() && equal; i++) equal = map.get(i).equals(replica.get(i));
                if (equal) return true;
                if (System.nanoTime() > deadline) return false;
                Thread.sleep(100);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- the follower

    private static void follower(Path dir, String listen) throws Exception {
        MapLocation replicaAt = MapSpec.existing(MAP).dir(dir.resolve("replica"));
        try (SharedArray<Long> control = SharedArray.open(controlSpec(dir));
             Follower f = Follower.follow(replicaAt, listen)) {
            LongSlots ctl = control.longs();
            while (ctl.getAcquire(STOP) == 0) {
                if (f.failure() != null) {
                    f.failure().printStackTrace();
                    System.exit(1);
                }
                Thread.sleep(20);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ the reader

    /** The reader's figures of one phase. */
    private record ReaderPhase(long seen, long repeats, long stale, long missed, long firstSeen, long lastSeen,
                               Histogram fromSet, Histogram fromIntended) {
        String encode() {
            return seen + " " + repeats + " " + stale + " " + missed + " " + firstSeen + " " + lastSeen + " "
                    + base64(fromSet) + " " + base64(fromIntended);
        }

        static ReaderPhase decode(String line) {
            String[] f = line.strip().split(" ");
            return new ReaderPhase(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                    Long.parseLong(f[4]), Long.parseLong(f[5]), histogram(f[6]), histogram(f[7]));
        }

        private static String base64(Histogram h) {
            ByteBuffer b = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
            h.encodeIntoCompressedByteBuffer(b);
            b.flip();
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            return Base64.getEncoder().encodeToString(bytes);
        }

        private static Histogram histogram(String text) {
            try {
                return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(text)), 0);
            } catch (java.util.zip.DataFormatException e) {
                throw new IllegalStateException("the reader's histogram does not decode: " + e, e);
            }
        }
    }

    /**
     * Watches the replica as a local reader would: a change cursor, sleeping in the kernel until the follower's next
     * change; for each change, reads the entry and, if it holds a value it has not seen, records how long ago it was
     * set. A phase ends when it has seen the phase's last write; its figures go to a file and the control map says so.
     */
    private static void reader(Path dir, int entries, int changelog) throws Exception {
        Path replicaDir = dir.resolve("replica");
        try (SharedArray<Long> control = SharedArray.open(controlSpec(dir));
             SharedArray<Stamp> replica = openWhenThere(spec(replicaDir, entries, changelog));
             ChangeCursor cursor = replica.changes()) {
            LongSlots ctl = control.longs();
            long[] last = new long[entries];
            for (int k = 0; k < entries; k++) last[k] = replica.get(k).intended();
            ctl.setRelease(READER_READY, 1);
            Tally t = new Tally();
            Duration wait = Duration.ofMillis(20);
            while (ctl.getAcquire(STOP) == 0) {
                List<ChangeEvent> events = cursor.poll(wait);
                for (ChangeEvent e : events) {
                    if (e instanceof MissedChanges m) {
                        t.missed += m.count();
                        continue;
                    }
                    int k = ((Change) e).key();
                    Stamp s = replica.get(k);
                    long now = System.nanoTime();
                    if (s.intended() > last[k]) {
                        last[k] = s.intended();
                        t.beginIfDue(ctl); // a value of a phase not begun yet: the writer began it before writing it
                        t.see(s, now);
                    } else if (s.intended() == last[k]) {
                        t.repeats++;
                    } else {
                        t.stale++;
                    }
                }
                t.beginIfDue(ctl);
                long lastWrite = t.active ? ctl.getAcquire(PHASE_LAST) : 0;
                if (lastWrite != 0) {
                    int index = (int) ctl.getAcquire(PHASE_LAST_INDEX);
                    // seen through a change, or there (after the cursor missed its change) with no change pending
                    if (last[index] >= lastWrite || (events.isEmpty() && replica.get(index).intended() >= lastWrite)) {
                        Path file = dir.resolve("reader-" + t.phase), part = dir.resolve("reader-" + t.phase + ".part");
                        Files.writeString(part, new ReaderPhase(t.seen, t.repeats, t.stale, t.missed, t.firstSeen,
                                t.lastSeen, t.fromSet, t.fromIntended).encode());
                        Files.move(part, file, StandardCopyOption.ATOMIC_MOVE);
                        ctl.setRelease(READER_DONE, t.phase);
                        t.active = false;
                    }
                }
            }
        }
    }

    /** What the reader counts in the phase it is in: begun when the control map says the writer began one. */
    private static final class Tally {
        long phase, first = Long.MAX_VALUE;
        boolean active;
        long seen, repeats, stale, missed, firstSeen, lastSeen;
        final Histogram fromSet = new Histogram(MAX_NANOS, 3), fromIntended = new Histogram(MAX_NANOS, 3);

        /** Begins the writer's next phase, if it began one this reader has not. */
        void beginIfDue(LongSlots ctl) {
            if (active || ctl.getAcquire(PHASE) <= phase) return;
            phase = ctl.getAcquire(PHASE);
            first = ctl.getAcquire(PHASE_FIRST);
            active = true;
            seen = repeats = stale = missed = 0;
            fromSet.reset();
            fromIntended.reset();
        }

        /** Counts a new value seen at {@code now}, if it was written in the phase. */
        void see(Stamp s, long now) {
            if (!active || s.intended() < first) return;
            if (seen == 0) firstSeen = now;
            lastSeen = now;
            seen++;
            fromSet.recordValue(Math.min(MAX_NANOS, Math.max(0, now - s.set())));
            fromIntended.recordValue(Math.min(MAX_NANOS, Math.max(0, now - s.intended())));
        }
    }

    private static SharedArray<Stamp> openWhenThere(ArraySpec<Stamp> spec) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                return SharedArray.open(spec);
            } catch (MapNotFoundException e) {
                if (System.nanoTime() > deadline) throw e;
                Thread.sleep(10);
            }
        }
    }

    // --------------------------------------------------------------------------------------------------- helpers

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(String what, Process child, Condition condition) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.holds()) {
            if (!child.isAlive()) throw new IllegalStateException("waiting for " + what + ": its process exited with " + child.exitValue());
            if (System.nanoTime() > deadline) throw new IllegalStateException("timed out waiting for " + what);
            Thread.sleep(1);
        }
    }

    /**
     * {@return this JVM's {@code aeron.*} system properties as JVM options, for its child processes: so that
     * {@code -Daeron.shared.idle.strategy=...} on the command line sets every process's media driver alike}
     */
    static List<String> aeronProperties() {
        List<String> out = new ArrayList<>();
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith("aeron.")) out.add("-D" + key + "=" + System.getProperty(key));
        }
        return out;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    private static String micros(long nanos) {
        return String.format(Locale.ROOT, "%,.1f us", nanos / 1e3);
    }

    private static String shares(List<ThreadCpu.Share> shares, int top) {
        StringBuilder b = new StringBuilder();
        for (ThreadCpu.Share s : shares.subList(0, Math.min(top, shares.size()))) {
            if (!b.isEmpty()) b.append(", ");
            b.append(s.process()).append('/').append(s.thread()).append(' ').append(s.cpus());
        }
        return b.toString();
    }

    private static String machine(ThreadCpu.Machine m) {
        return m == null ? "machine unknown" : String.format(Locale.ROOT, "machine busy %.2f CPUs (other processes %.2f,"
                + " stolen %.2f)", m.busy(), m.others(), m.steal());
    }

    private static void print(Paced p, PrintStream out) {
        out.printf(Locale.ROOT, "%,9d/s: %,d writes at %,.0f/s (writer late p50 %s, p99 %s); seen %,d, superseded %,d,"
                        + " repeats %,d, stale %d, missed %d, snapshots %d; leader sent %,.0f messages/s, follower applied"
                        + " %,.0f/s%n", p.rate(), p.writes(), p.achievedRate(), micros(p.writerLate().p50()),
                micros(p.writerLate().p99()), p.seen(), p.superseded(), p.repeats(), p.stale(), p.missed(), p.snapshots(),
                p.leaderRate(), p.followerRate());
        for (var row : List.of(Map.entry("lag from set", p.lagFromSet()), Map.entry("lag from intended", p.lagFromIntended()))) {
            Percentiles l = row.getValue();
            out.printf(Locale.ROOT, "           %-18s p50 %12s  p90 %12s  p99 %12s  p99.9 %12s  max %12s%n", row.getKey(),
                    micros(l.p50()), micros(l.p90()), micros(l.p99()), micros(l.p999()), micros(l.max()));
        }
        out.printf(Locale.ROOT, "           cpus %s, %s; busiest threads %s%n", p.cpus(), machine(p.machine()),
                shares(p.threads(), 6));
    }

    private static void print(Throughput t, PrintStream out) {
        out.printf(Locale.ROOT, "unpaced writer for %s s: %,.0f sets/s; leader sent %,.0f messages/s; follower applied"
                        + " %,.0f messages/s (%,d in %.2f s, %d snapshots); reader saw %,.0f new values/s (%,d, missed %,d,"
                        + " stale %d); lag p50 %s p99 %s max %s%n", t.seconds(), t.writerRate(), t.leaderRate(),
                t.followerRate(), t.followerMessages(), t.windowSeconds(), t.snapshots(), t.readerRate(), t.readerSeen(),
                t.missed(), t.stale(), micros(t.lag().p50()), micros(t.lag().p99()), micros(t.lag().max()));
        out.printf(Locale.ROOT, "           cpus %s, %s; busiest threads %s%n", t.cpus(), machine(t.machine()),
                shares(t.threads(), 8));
    }

    // ---------------------------------------------------------------------------------------------- summarizing

    /** Prints the median and range of each figure over the runs whose JSON files are given. */
    static void summarize(List<Path> files, PrintStream out) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        List<com.fasterxml.jackson.databind.JsonNode> runs = new ArrayList<>();
        for (Path f : files) {
            var doc = mapper.readTree(f.toFile());
            if (doc.has("runs")) doc.get("runs").forEach(runs::add); // several runs in one file
            else runs.add(doc);
        }
        out.printf("%d runs%n", runs.size());
        Map<Integer, List<com.fasterxml.jackson.databind.JsonNode>> byRate = new LinkedHashMap<>();
        for (var run : runs) {
            for (var p : run.get("paced")) byRate.computeIfAbsent(p.get("rate").asInt(), r -> new ArrayList<>()).add(p);
        }
        byRate.forEach((rate, ps) -> {
            out.printf(Locale.ROOT, "%,d/s: achieved %s/s; follower applied %s/s; superseded %s; missed %s; stale %s;"
                            + " snapshots %s; other processes' CPUs %s%n", rate, range(ps, "achievedRate", 1, "%,.0f"),
                    range(ps, "followerRate", 1, "%,.0f"), range(ps, "superseded", 1, "%,.0f"),
                    range(ps, "missed", 1, "%,.0f"), range(ps, "stale", 1, "%,.0f"), range(ps, "snapshots", 1, "%,.0f"),
                    range(ps, "machine.others", 1, "%.2f"));
            for (String lag : List.of("lagFromSet", "lagFromIntended", "writerLate")) {
                out.printf(Locale.ROOT, "    %-16s p50 %s  p99 %s  p99.9 %s  max %s (us)%n", lag,
                        range(ps, lag + ".p50", 1e-3, "%,.1f"), range(ps, lag + ".p99", 1e-3, "%,.1f"),
                        range(ps, lag + ".p999", 1e-3, "%,.1f"), range(ps, lag + ".max", 1e-3, "%,.1f"));
            }
        });
        List<com.fasterxml.jackson.databind.JsonNode> ts = runs.stream().map(r -> r.get("throughput"))
                .filter(t -> t != null && !t.isNull()).toList();
        if (!ts.isEmpty()) {
            out.printf(Locale.ROOT, "unpaced: writer %s sets/s; leader %s msg/s; follower %s msg/s; reader %s values/s;"
                            + " lag p50 %s us, p99 %s us; snapshots %s; other processes' CPUs %s%n",
                    range(ts, "writerRate", 1, "%,.0f"), range(ts, "leaderRate", 1, "%,.0f"),
                    range(ts, "followerRate", 1, "%,.0f"), range(ts, "readerRate", 1, "%,.0f"),
                    range(ts, "lag.p50", 1e-3, "%,.0f"), range(ts, "lag.p99", 1e-3, "%,.0f"),
                    range(ts, "snapshots", 1, "%,.0f"), range(ts, "machine.others", 1, "%.2f"));
        }
        Map<String, List<com.fasterxml.jackson.databind.JsonNode>> raw = new LinkedHashMap<>();
        for (var run : runs) for (var r : run.get("raw")) raw.computeIfAbsent(r.get("mode").asText(), m -> new ArrayList<>()).add(r);
        raw.forEach((mode, rs) -> out.printf(Locale.ROOT, "%s: %s msg/s; other processes' CPUs %s%n", mode,
                range(rs, "messagesPerSecond", 1, "%,.0f"), range(rs, "machine.others", 1, "%.2f")));
        List<com.fasterxml.jackson.databind.JsonNode> ratios = runs.stream().filter(r -> r.get("ratio").asDouble() > 0).toList();
        if (!ratios.isEmpty()) out.printf(Locale.ROOT, "ratio follower / aeron: %s%n", range(ratios, "ratio", 1, "%.2f"));
        ratios = runs.stream().filter(r -> r.get("ratioRecorded").asDouble() > 0).toList();
        if (!ratios.isEmpty()) {
            out.printf(Locale.ROOT, "ratio follower / aeron-recorded: %s%n", range(ratios, "ratioRecorded", 1, "%.2f"));
        }
        out.printf("replica equal in %d of %d runs%n", runs.stream().filter(r -> r.get("replicaEqual").asBoolean()).count(),
                runs.size());
    }

    /** {@code median (min–max)} of a field (a.b for nested) of the nodes, times {@code scale}. */
    private static String range(List<com.fasterxml.jackson.databind.JsonNode> nodes, String field, double scale, String format) {
        List<Double> values = new ArrayList<>();
        for (var n : nodes) {
            var v = n;
            for (String part : field.split("\\.")) v = v.get(part);
            values.add(v.asDouble() * scale);
        }
        values.sort(Double::compare);
        int size = values.size();
        double median = size % 2 == 1 ? values.get(size / 2) : (values.get(size / 2 - 1) + values.get(size / 2)) / 2;
        return String.format(Locale.ROOT, format + " (" + format + "–" + format + ")", median, values.getFirst(),
                values.getLast());
    }

    private ReplicationBench() {}
}
