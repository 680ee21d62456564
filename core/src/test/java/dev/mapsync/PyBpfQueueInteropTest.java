package dev.mapsync;

import dev.mapsync.internal.store.Bpffs;
import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.PythonClient;
import dev.mapsync.testkit.PythonClient.Script;
import dev.mapsync.testkit.RingRecords;
import dev.mapsync.testkit.RingRecords.Item;
import dev.mapsync.testkit.UserRingDrain;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kernel rings between the Python client (its libmapsync built with libbpf) and the Java library (FORMAT.md §8):
 * records Java's producers write into a Java-made bpf queue (with a BPF program each runs, CBpfRingInteropTest's)
 * a Python consumer takes, each once and in its producer's order, while Java cannot be a second consumer; and
 * Python producers fill a Java-made user ring that a BPF program, run by Java, drains to the last record.
 */
class PyBpfQueueInteropTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final KernelAssumptions.Pins pins = new KernelAssumptions.Pins();

    private final String name = KernelAssumptions.uniqueName("pybq");

    @BeforeEach
    void needsBpfAndPython() {
        Machine.requireBpf();
        Machine.requireLibbpf(); // pip builds the package's libmapsync with libbpf when the compiler finds it
        PythonClient.require();
    }

    @Test
    void recordsJavaProducersWriteIntoAKernelRingAreTakenByAPythonConsumer() throws Exception {
        int perProducer = 5_000;
        pins.track(Bpffs.defaultPin(name));
        try (SharedQueue<Item> queue = SharedQueue.create(RingRecords.queue(dir, name, 4096).backend(Backend.BPF));
             Script consumer = PythonClient.start(dir, "consume", name, 2 * perProducer)) {
            assertEquals("consuming", consumer.readLine());
            ConsumerBusyException busy = org.junit.jupiter.api.Assertions.assertThrows(ConsumerBusyException.class, queue::poll);
            assertEquals((int) consumer.process().pid(), busy.consumerPid());
            Thread p1 = CBpfRingInteropTest.emitting(Bpffs.defaultPin(name), 1, perProducer);
            Thread p2 = CBpfRingInteropTest.emitting(Bpffs.defaultPin(name), 2, perProducer);
            p1.join();
            p2.join();
            assertEquals("records=10000 violations=0 counts=1:5000,2:5000\n", consumer.awaitSuccess(60));
            RingStatus status = queue.status();
            assertEquals((2L * perProducer + 2 * (perProducer / 100)) * 24, status.consumerPosition());
            assertEquals(status.producerPosition(), status.consumerPosition());
            assertNull(queue.poll()); // Python's process ended: Java is the consumer now
        }
    }

    @Test
    void pythonProducersFillAJavaMadeUserRingThatABpfProgramDrains() throws Exception {
        Path pin = pins.track(Bpffs.defaultPin(name));
        int perProducer = 1_000;
        try (SharedRing ring = SharedRing.create(MapSpec.ring(name, 4096).backend(Backend.BPF).userRing(true).dir(dir));
             UserRingDrain program = UserRingDrain.load(dir.resolve("work"), pin);
             Script p1 = PythonClient.start(dir, "ring_squares", name, 1, perProducer);
             Script p2 = PythonClient.start(dir, "ring_squares", name, 2, perProducer)) {
            // the ring holds 170 records: the producers wait for room, which each drain makes
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (program.results().getFirst() < 2L * perProducer) {
                assertTrue(System.nanoTime() < deadline, "drained " + program.results() + " in 120 s");
                program.drain();
            }
            assertEquals("produced=" + perProducer + "\n", p1.awaitSuccess(60));
            assertEquals("produced=" + perProducer + "\n", p2.awaitSuccess(60));
            long sum = 0;
            for (int source = 1; source <= 2; source++) {
                for (int seq = 0; seq < perProducer; seq++) sum += source * 1_000_000L + seq;
            }
            assertEquals(List.of(2L * perProducer, sum, 0L), program.results().subList(0, 3), "records, their sum, bad ones");
            RingStatus status = ring.status();
            assertEquals(2L * perProducer * 24, status.producerPosition());
            assertEquals(status.producerPosition(), status.consumerPosition());
        }
    }
}
