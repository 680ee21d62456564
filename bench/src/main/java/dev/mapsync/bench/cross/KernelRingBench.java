package dev.mapsync.bench.cross;

import dev.mapsync.Backend;
import dev.mapsync.MapSpec;
import dev.mapsync.RingSpec;
import dev.mapsync.RingStatus;
import dev.mapsync.SharedMaps;
import dev.mapsync.SharedRing;
import dev.mapsync.internal.asm.RingEmitter;
import dev.mapsync.internal.store.Bpffs;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * How fast a consumer empties a kernel ring buffer that BPF programs have filled: mapsync's {@code RingConsumer} (a
 * fresh JVM, {@link KernelRingConsumerChild}) against libbpf's {@code ring_buffer__poll} ({@code libbpf_ring_consume.c},
 * a resource of this package, built here with {@code cc} and libbpf). A 16 MiB ring made by mapsync is filled with
 * 16-byte records (about 700,000) by {@link RingEmitter} with {@code BPF_PROG_TEST_RUN}, and then the consumer starts
 * and takes them all; the figure is the records it took a second, from the first to the last. The ring is filled
 * first because a producer running beside the consumer measures the two together: the kernel wakes a consumer that
 * has caught up once a record, so a faster consumer slows the producer down. Needs CAP_BPF, cc and libbpf; without
 * them it is skipped, saying which is missing.
 *
 * <p>{@code java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar
 * dev.mapsync.bench.cross.KernelRingBench [RUNS]} runs it alone, RUNS times (default 10), printing each run.
 */
public final class KernelRingBench {
    private static final int CAPACITY = 16 << 20;
    private static final int BURST = 256;
    /** Backlogs a consumer takes in one process: the first shows a process that has just started, the last one warm. */
    private static final int ROUNDS = 4;
    /** The bytes a record of {@link RingEmitter#RECORD_SIZE} takes in the ring, header included. */
    private static final int RECORD_BYTES = 8 + RingEmitter.RECORD_SIZE;

    /** One consumer's run: records taken and the seconds from the first to the last. */
    public record Result(String consumer, long records, double seconds) {
        public double recordsPerSecond() {
            return records / seconds;
        }
    }

    private KernelRingBench() {}

    /** Why the benchmark cannot run here (libbpf's consumer does not build), or null when it can. */
    static String whyUnavailable() {
        try {
            PeerBuild.libbpfRingConsumer();
            return null;
        } catch (Exception e) {
            return e.getMessage();
        }
    }

    /**
     * mapsync's consumer taking records one at a time ({@code next}), then in batches ({@code drain}), then libbpf's,
     * each emptying the filled ring {@link #ROUNDS} times in one process.
     *
     * @throws dev.mapsync.MapSyncException if no kernel ring can be made here (no CAP_BPF, say)
     */
    static List<Result> run() throws Exception {
        Path dir = Files.createTempDirectory("mapsync-kernel-ring-bench-");
        String name = "bench_kring_" + ProcessHandle.current().pid();
        RingSpec spec = MapSpec.ring(name, CAPACITY).backend(Backend.BPF).dir(dir);
        try (SharedRing ring = SharedRing.create(spec)) {
            Path pin = Bpffs.defaultPin(name);
            try (RingEmitter emitter = RingEmitter.load(pin)) {
                List<Result> results = new ArrayList<>();
                for (String way : List.of("next", "drain")) {
                    results.addAll(measure("mapsync " + way, ring, emitter, Child.command(KernelRingConsumerChild.class,
                            pin.toString(), dir.toString(), way)));
                }
                results.addAll(measure("libbpf", ring, emitter, List.of(PeerBuild.libbpfRingConsumer().toString(),
                        pin.toString(), "-", "60000", "count")));
                return results;
            } finally {
                ring.close();
                SharedMaps.delete(spec.location());
            }
        } finally {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    /** Fills the empty ring until a record finds no room. {@return the records in it} */
    private static long fill(SharedRing ring, RingEmitter emitter) {
        RingStatus before = ring.status();
        if (before.producerPosition() != before.consumerPosition()) throw new IllegalStateException("the ring is not empty");
        for (long seq = 0; emitter.emitBurst(0, RingEmitter.KIND_RECORD, seq, BURST) != RingEmitter.RING_FULL; seq++) {
            // bursts until the last run of one found the ring full
        }
        while (emitter.emit(0, RingEmitter.KIND_RECORD, 0) != RingEmitter.RING_FULL) {
            // and single records into the room a burst's last run may have left
        }
        RingStatus full = ring.status();
        return (full.producerPosition() - full.consumerPosition()) / RECORD_BYTES;
    }

    /**
     * Starts a consumer, and once it is ready, fills the ring and has it take the records, {@link #ROUNDS} times.
     *
     * @return the first round (a process that has just started) and the last (one that has run a while)
     */
    private static List<Result> measure(String consumer, SharedRing ring, RingEmitter emitter, List<String> command)
            throws Exception {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter in = new PrintWriter(p.getOutputStream(), true, StandardCharsets.UTF_8)) {
            String ready = out.readLine();
            if (!"ready".equals(ready)) throw new IllegalStateException(consumer + " consumer said " + ready);
            List<Result> rounds = new ArrayList<>();
            for (int round = 0; round < ROUNDS; round++) {
                long n = fill(ring, emitter);
                in.println(n);
                String said = out.readLine();
                if (said == null) throw new IllegalStateException(consumer + " consumer ended early");
                long received = Long.parseLong(field(said, "received"));
                if (received != n) throw new IllegalStateException(consumer + " consumer took " + received + " of " + n);
                rounds.add(new Result(consumer + (round == 0 ? ", first" : ", warm"), received,
                        Long.parseLong(field(said, "ns")) / 1e9));
            }
            return List.of(rounds.getFirst(), rounds.getLast());
        } finally {
            p.destroy();
            p.waitFor();
        }
    }

    private static String field(String line, String name) {
        for (String word : line.trim().split("\\s+")) {
            if (word.startsWith(name + "=")) return word.substring(name.length() + 1);
        }
        throw new IllegalStateException("no " + name + " in: " + line);
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        String why = whyUnavailable();
        if (why != null) {
            System.err.println("kernel ring consumers: skipped, " + why);
            return;
        }
        for (int i = 0; i < runs; i++) {
            List<Result> r = run();
            StringBuilder line = new StringBuilder("run " + (i + 1) + ":");
            for (int k = 0; k < 4; k++) {
                double peer = r.get(4 + k % 2).recordsPerSecond();
                line.append(String.format(Locale.ROOT, "  %s %.2f Mrec/s (%.3fx)", r.get(k).consumer(),
                        r.get(k).recordsPerSecond() / 1e6, r.get(k).recordsPerSecond() / peer));
            }
            line.append(String.format(Locale.ROOT, "  libbpf first %.2f, warm %.2f Mrec/s",
                    r.get(4).recordsPerSecond() / 1e6, r.get(5).recordsPerSecond() / 1e6));
            System.out.println(line);
        }
    }
}
