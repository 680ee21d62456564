package dev.mapsync;

import dev.mapsync.internal.asm.RingEmitter;
import dev.mapsync.internal.store.Bpffs;
import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.testkit.CPrograms;
import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.RingRecords;
import dev.mapsync.testkit.RingRecords.Item;
import dev.mapsync.testkit.UserRingDrain;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kernel rings between libmapsync (built with libbpf) and the Java library (FORMAT.md §8): records that Java's
 * producers write into a Java-made bpf queue (a {@code BPF_MAP_TYPE_RINGBUF}, filled by a BPF program each producer
 * runs with {@code BPF_PROG_TEST_RUN}) a C consumer reads from the kernel's pages, each once and in its producer's
 * order, skipping the discarded ones; records C producers write into such a queue (with a BPF program of their own:
 * user space cannot write a ring buffer's pages) a Java consumer takes, each once and in order; one consumer at a
 * time, whether it is Java or C; and C producers fill a Java-made user ring ({@code BPF_MAP_TYPE_USER_RINGBUF}) that a
 * BPF program, run by Java, drains to the last record.
 */
class CBpfRingInteropTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final KernelAssumptions.Pins pins = new KernelAssumptions.Pins();

    private final String name = KernelAssumptions.uniqueName("cbr");

    @BeforeEach
    void needsBpf() {
        Machine.requireBpf();
    }

    private QueueSpec<Item> queue() {
        pins.track(Bpffs.defaultPin(name));
        return RingRecords.queue(dir, name, 4096).backend(Backend.BPF);
    }

    private ProcessBuilder c(String program, String... args) {
        List<String> command = new ArrayList<>(List.of(CPrograms.testProgram(program, Backend.BPF).toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("MAPSYNC_DIR", dir.toString());
        return pb;
    }

    /**
     * Emits {@code count} records of {@code source} (seq 0, 1, ...) and a discarded one before every 100th (never
     * after the last, so that a consumer that has read every record has passed every discarded one).
     */
    static Thread emitting(Path pin, int source, int count) {
        return Thread.ofPlatform().start(() -> {
            try (RingEmitter emitter = RingEmitter.load(pin)) {
                for (int seq = 0; seq < count; seq++) {
                    // the ring is full until the consumer reads: the program wrote nothing, so run it again
                    if (seq % 100 == 50) {
                        while (emitter.emit(source, RingEmitter.KIND_DISCARD, -1) == RingEmitter.RING_FULL) Thread.onSpinWait();
                    }
                    while (emitter.emit(source, RingEmitter.KIND_RECORD, seq) == RingEmitter.RING_FULL) Thread.onSpinWait();
                }
            }
        });
    }

    @Test
    void recordsJavaProducersWriteIntoAKernelRingAreReadByACConsumer() throws Exception {
        int perProducer = 20_000;
        try (SharedQueue<Item> queue = SharedQueue.create(queue())) {
            assertEquals(Backend.BPF, queue.backend());
            Process consumer = c("ring_consume", name, Integer.toString(2 * perProducer), "120").start();
            consumer.getOutputStream().close();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(consumer.getInputStream(), StandardCharsets.UTF_8));
                assertEquals("consuming", out.readLine());
                Thread p1 = emitting(Bpffs.defaultPin(name), 1, perProducer);
                Thread p2 = emitting(Bpffs.defaultPin(name), 2, perProducer);
                p1.join();
                p2.join();
                assertEquals("records=40000 lost=0 violations=0 counts=1:20000,2:20000", out.readLine());
                assertTrue(consumer.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, consumer.exitValue());
            } finally {
                consumer.destroyForcibly();
            }
            // the C consumer moved the kernel's consumer position past every record, the discarded ones too
            RingStatus status = queue.status();
            assertEquals(status.producerPosition(), status.consumerPosition());
            assertEquals((2L * perProducer + 2 * (perProducer / 100)) * 24, status.consumerPosition());
            assertNull(queue.poll());
        }
    }

    @Test
    void recordsCProducersWriteIntoAKernelRingAreTakenByAJavaConsumer() throws Exception {
        int perProducer = 20_000;
        try (SharedQueue<Item> queue = SharedQueue.create(queue())) {
            assertNull(queue.poll()); // the consumer, before the producers start
            Process p1 = c("ring_emit", name, "1", Integer.toString(perProducer)).redirectOutput(dir.resolve("p1").toFile()).start();
            Process p2 = c("ring_emit", name, "2", Integer.toString(perProducer)).redirectOutput(dir.resolve("p2").toFile()).start();
            long[] next = new long[3];
            int violations = 0;
            try {
                for (int i = 0; i < 2 * perProducer; i++) {
                    Item item = queue.poll(Duration.ofSeconds(60));
                    assertTrue(item != null, "a record within 60 s, after " + i);
                    if (item.seq() != next[item.source()]) violations++;
                    next[item.source()] = item.seq() + 1;
                }
                assertTrue(p1.waitFor(60, TimeUnit.SECONDS) && p2.waitFor(60, TimeUnit.SECONDS), "the C producers finish");
            } finally {
                p1.destroyForcibly();
                p2.destroyForcibly();
            }
            assertEquals("produced=" + perProducer + "\n", Files.readString(dir.resolve("p1")));
            assertEquals("produced=" + perProducer + "\n", Files.readString(dir.resolve("p2")));
            assertEquals(0, violations);
            assertEquals(List.of(0L, (long) perProducer, (long) perProducer), List.of(next[0], next[1], next[2]));
            assertNull(queue.poll());
        }
    }

    @Test
    void aKernelRingHasOneConsumerWhetherItIsJavaOrC() throws Exception {
        try (SharedQueue<Item> queue = SharedQueue.create(queue());
             RingEmitter emitter = RingEmitter.load(Bpffs.defaultPin(name))) {
            assertNull(queue.poll()); // Java is the consumer now
            Process refused = c("ring_consume", name, "1", "10").start();
            assertTrue(refused.waitFor(30, TimeUnit.SECONDS));
            String said = new String(refused.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(5, refused.exitValue(), said);
            assertTrue(said.startsWith("ring_consume: ring " + name + " already has a consumer: pid " + ProcessHandle.current().pid()),
                    said);
        }
        try (SharedQueue<Item> queue = SharedQueue.open(RingRecords.queue(dir, name, 4096).backend(Backend.BPF));
             RingEmitter emitter = RingEmitter.load(Bpffs.defaultPin(name))) {
            Process consumer = c("ring_consume", name, "1", "60").start();
            consumer.getOutputStream().close();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(consumer.getInputStream(), StandardCharsets.UTF_8));
                assertEquals("consuming", out.readLine());
                ConsumerBusyException busy = assertThrows(ConsumerBusyException.class, queue::poll);
                assertEquals((int) consumer.pid(), busy.consumerPid());
                assertEquals(0, emitter.emit(9, RingEmitter.KIND_RECORD, 0));
                assertEquals("records=1 lost=0 violations=0 counts=9:1", out.readLine());
                assertTrue(consumer.waitFor(30, TimeUnit.SECONDS));
            } finally {
                consumer.destroyForcibly();
            }
            // the C consumer's process ended, and the kernel dropped its lock with it
            assertEquals(0, emitter.emit(9, RingEmitter.KIND_RECORD, 1));
            assertEquals(new Item(9, 0, 1), queue.poll(Duration.ofSeconds(10)));
        }
    }

    @Test
    void cProducersFillAJavaMadeUserRingThatABpfProgramDrains() throws Exception {
        Path pin = pins.track(Bpffs.defaultPin(name));
        int perProducer = 2_000;
        try (SharedRing ring = SharedRing.create(MapSpec.ring(name, 4096).backend(Backend.BPF).userRing(true).dir(dir));
             UserRingDrain program = UserRingDrain.load(dir.resolve("work"), pin)) {
            Process p1 = c("ring_produce", name, "1", Integer.toString(perProducer), "--squares")
                    .redirectOutput(dir.resolve("p1").toFile()).start();
            Process p2 = c("ring_produce", name, "2", Integer.toString(perProducer), "--squares")
                    .redirectOutput(dir.resolve("p2").toFile()).start();
            try {
                // the ring holds 170 records: the producers wait for room, which each drain makes
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (program.results().getFirst() < 2L * perProducer) {
                    assertTrue(System.nanoTime() < deadline, "drained " + program.results() + " in 120 s");
                    program.drain();
                }
                assertTrue(p1.waitFor(60, TimeUnit.SECONDS) && p2.waitFor(60, TimeUnit.SECONDS), "the C producers finish");
            } finally {
                p1.destroyForcibly();
                p2.destroyForcibly();
            }
            assertEquals("produced=" + perProducer + "\n", Files.readString(dir.resolve("p1")));
            assertEquals("produced=" + perProducer + "\n", Files.readString(dir.resolve("p2")));
            long sum = 0;
            for (int source = 1; source <= 2; source++) {
                for (int seq = 0; seq < perProducer; seq++) sum += source * 1_000_000L + seq;
            }
            List<Long> results = program.results();
            assertEquals(List.of(2L * perProducer, sum, 0L), results.subList(0, 3), "records, their sum, bad ones");
            RingStatus status = ring.status();
            assertEquals(2L * perProducer * 24, status.producerPosition());
            assertEquals(status.producerPosition(), status.consumerPosition());
        }
    }
}
