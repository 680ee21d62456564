package dev.mapsync.cli.demo;

import dev.mapsync.ArraySpec;
import dev.mapsync.QueueSpec;
import dev.mapsync.Backend;
import dev.mapsync.MapSpec;
import dev.mapsync.RingConsumer;
import dev.mapsync.RingRecord;
import dev.mapsync.SharedMaps;
import dev.mapsync.SharedQueue;
import dev.mapsync.SharedRing;
import dev.mapsync.internal.store.Bpffs;
import dev.mapsync.internal.asm.RingEmitter;

import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The queue phase: producer processes each send N numbered records through one ring to one consumer (the
 * coordinator), which checks that every producer's records arrive exactly once and in order. On the shm backend the
 * producers put typed values into a {@link SharedQueue}; on the bpf backend the ring is a kernel ring buffer, and each
 * producer runs a pinned BPF program with {@code BPF_PROG_TEST_RUN} that copies its record into the ring with
 * {@code bpf_ringbuf_output}. The consumer reads both the same way, straight from the ring.
 *
 * <pre>
 * record: struct { int32 producer; int32 kind (0); int64 seq; }   16 bytes, 24 in the ring
 * </pre>
 */
public final class QueuePhase {
    /** Values the queue holds: 10,922 records of 24 bytes fill a ring of 256 KiB. */
    static final int CAPACITY = 10_922;

    private QueuePhase() {}

    /** One record: which producer sent it and its number in that producer's sequence. */
    public record Item(int producer, int kind, long seq) {}

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static String ringName(String name) {
        return name + "-queue";
    }

    static QueueSpec<Item> spec(String name, Path dir, Backend backend) {
        QueueSpec<Item> spec = MapSpec.queue(ringName(name), Item.class, CAPACITY).backend(backend);
        return dir == null ? spec : spec.dir(dir);
    }

    /** The pin of the bpf backend's emitter program. */
    static Path programPin(String name) {
        return Bpffs.MAPSYNC_DIR.resolve(ringName(name) + "-emit");
    }

    /** Producer worker: arguments name dir backend processes worker records. */
    public static void produce(String name, Path dir, Backend backend, int processes, int worker, long records)
            throws InterruptedException {
        try (StartGate gate = StartGate.open(ringName(name), dir, processes);
             PhaseEnd end = PhaseEnd.join(ringName(name), dir, processes)) {
            if (backend == Backend.BPF) {
                try (RingEmitter emitter = RingEmitter.openPinned(programPin(name))) {
                    gate.arriveAndWait();
                    for (long seq = 0; seq < records; seq++) {
                        while (emitter.emit(worker, RingEmitter.KIND_RECORD, seq) == RingEmitter.RING_FULL) Thread.yield();
                    }
                }
            } else {
                try (SharedQueue<Item> queue = SharedQueue.open(spec(name, dir, backend))) {
                    gate.arriveAndWait();
                    Duration patience = Duration.ofSeconds(60);
                    for (long seq = 0; seq < records; seq++) queue.put(new Item(worker, 0, seq), patience);
                }
            }
            gate.finished(worker);
            end.arrive();
        }
    }

    /** Coordinator side: makes the ring, starts the producers, consumes and checks every record. */
    public static PhaseResult run(String name, Path dir, Backend backend, int processes, long records, PrintWriter err)
            throws InterruptedException {
        QueueSpec<Item> spec = spec(name, dir, backend);
        Path programPin = programPin(name);
        try (SharedRing ring = SharedRing.create(spec);
             RingConsumer consumer = ring.consumer();
             Workers workers = new Workers(Workers.PHASE_LIMIT);
             PhaseEnd end = PhaseEnd.create(ringName(name), dir, processes)) {
            if (backend == Backend.BPF) {
                try (RingEmitter emitter = RingEmitter.load(Bpffs.defaultPin(ringName(name)))) {
                    emitter.pin(programPin);
                }
            }
            StartGate gate = StartGate.create(ringName(name), dir, processes);
            try {
                String d = dir == null ? "-" : dir.toString();
                for (int w = 0; w < processes; w++) {
                    workers.start("queue-producer", name, d, backend.name(), Integer.toString(processes),
                            Integer.toString(w), Long.toString(records));
                }
                long start = gate.awaitReadyAndGo(workers);
                long[] next = new long[processes];
                long total = processes * records, received = 0, violations = 0;
                Progress progress = new Progress(err);
                while (received < total) {
                    RingRecord r = consumer.next(Duration.ofMillis(200));
                    if (r == null) {
                        if (!workers.running()) break;
                        continue;
                    }
                    MemorySegment p = r.payload();
                    int producer = p.get(INT, 0);
                    long seq = p.get(LONG, 8);
                    r.release();
                    received++;
                    if (producer < 0 || producer >= processes || seq != next[producer]) violations++;
                    else next[producer]++;
                    if ((received & 0xFFFF) == 0) progress.show("records", received, total);
                }
                progress.show("records", received, total);
                progress.finish();
                long elapsed = Math.max(1, System.nanoTime() - start);
                PhaseEnd.Outcome met = end.await(workers.left());
                List<String> failures = workers.awaitAll();
                for (int w = 0; w < processes; w++) {
                    if (next[w] != records) violations++;
                }
                return report(backend, processes, records, received, violations, consumer.lost(), elapsed, met, failures);
            } finally {
                gate.delete();
            }
        } finally {
            SharedMaps.delete(MapSpec.existing(spec.name()).dir(spec.dir()).backend(backend));
            if (backend == Backend.BPF) deleteQuietly(programPin);
        }
    }

    private static void deleteQuietly(Path pin) {
        try {
            Files.deleteIfExists(pin);
        } catch (java.io.IOException e) {
            // a program pin left behind is harmless: the demo's next run uses another name
        }
    }

    private static PhaseResult report(Backend backend, int processes, long records, long received, long violations,
                                      long lost, long elapsedNanos, PhaseEnd.Outcome met, List<String> failures) {
        long total = processes * records;
        double seconds = elapsedNanos / 1e9;
        boolean ok = violations == 0 && lost == 0 && received == total && met.ok() && failures.isEmpty();
        List<String> report = new ArrayList<>();
        report.add(backend == Backend.BPF
                ? String.format("queue: %d producer processes x %,d records, each run through a BPF program"
                + " (bpf_ringbuf_output) into a kernel ring buffer, one consumer process", processes, records)
                : String.format("queue: %d producer processes x %,d records through one %d KiB ring, one consumer process",
                processes, records, MapSpec.queue("ring", Item.class, CAPACITY).capacityBytes() / 1024));
        report.add(String.format("  records        %,d of %,d received in %.3f s = %,d records/s", received, total, seconds,
                Math.round(received / seconds)));
        report.add(String.format("  violations     %d (records missing, repeated or out of their producer's order)", violations));
        report.add(met.line());
        failures.forEach(f -> report.add("  FAILED: " + f));
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("processes", processes);
        figures.put("records", received);
        figures.put("records_per_sec", Math.round(received / seconds));
        figures.put("violations", violations);
        figures.put("lost", lost);
        return new PhaseResult("queue", ok, figures, report);
    }
}
