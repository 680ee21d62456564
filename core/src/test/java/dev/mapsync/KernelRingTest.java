package dev.mapsync;

import dev.mapsync.testkit.Machine;
import dev.mapsync.internal.store.Bpffs;
import dev.mapsync.internal.asm.Insn;
import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.internal.asm.ProgramBuilder;
import dev.mapsync.internal.asm.Reg;
import dev.mapsync.internal.asm.RingEmitter;
import dev.mapsync.internal.sys.Proc;
import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.TestJvm;
import dev.mapsync.testkit.RingConsumerChild;
import dev.mapsync.testkit.RingRecords;
import dev.mapsync.testkit.TestDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel's own ring buffer ({@code BPF_MAP_TYPE_RINGBUF}): made and pinned by mapsync or adopted from a pin,
 * filled by a real BPF program run with {@code BPF_PROG_TEST_RUN}, read straight from its pages by the consumer that
 * also reads shm rings, in this JVM and in another.
 */
class KernelRingTest {
    @RegisterExtension
    final KernelAssumptions.Pins pins = new KernelAssumptions.Pins();
    private Path dir;
    private String name;

    @BeforeEach
    void setUp() {
        dir = TestDirs.create();
        name = KernelAssumptions.uniqueName("kr");
    }

    @AfterEach
    void tearDown() {
        TestDirs.delete(dir);
    }

    private RingSpec spec(int capacity) {
        Machine.requireBpf();
        pins.track(Bpffs.defaultPin(name));
        return MapSpec.ring(name, capacity).dir(dir).backend(Backend.BPF);
    }

    @Test
    void ringbufOutputIsEncodedAsTheVerifiedDoorbellProgram() {
        // kernel-facts §7 / t8: r2 = r10 - 16; r1 = map (fd 3); r3 = 16; r4 = 0; call bpf_ringbuf_output (130)
        String expected = "bfa2000000000000" + "07020000f0ffffff" + "1811000003000000" + "0000000000000000"
                + "b703000010000000" + "b704000000000000" + "8500000082000000";
        StringBuilder actual = new StringBuilder();
        for (Insn i : new ProgramBuilder().ringbufOutput(3, -16, 16, 0).build()) actual.append(HexFormat.of().formatHex(i.bytes()));
        assertEquals(expected, actual.toString());
        // *(u64 *)(r10 + 8) = r1: BPF_STX | BPF_MEM | BPF_DW
        assertEquals("7b1a080000000000", HexFormat.of().formatHex(new ProgramBuilder()
                .store(ProgramBuilder.Width.DW, Reg.R10, 8, Reg.R1).build().getFirst().bytes()));
    }

    @Test
    void aBpfProgramsRecordsAreReadStraightFromTheKernelRing() {
        try (SharedRing ring = SharedRing.create(spec(16384));
             RingEmitter emitter = RingEmitter.load(Bpffs.defaultPin(name));
             RingConsumer consumer = ring.consumer()) {
            assertTrue(Files.exists(Bpffs.defaultPin(name)));
            assertEquals(Backend.BPF, ring.backend());
            assertEquals(0, emitter.emit(7, RingEmitter.KIND_RECORD, 100));
            assertEquals(0, emitter.emit(7, RingEmitter.KIND_DISCARD, 101));
            assertEquals(0, emitter.emit(7, RingEmitter.KIND_RECORD, 102));
            RingStatus before = ring.status();
            assertEquals(3 * 24, before.producerPosition(), "16-byte records take 24 bytes, the discarded one too");
            assertEquals(0, before.consumerPosition());
            consumer.next().unread(); // given back: it stays in the kernel's ring, and is read again
            assertEquals(0, ring.status().consumerPosition());
            RingRecord r = consumer.next();
            assertEquals(16, r.length());
            assertEquals(7, RingRecords.source(r.payload()));
            assertEquals(100, RingRecords.seq(r.payload()));
            r.release();
            try (RingRecord second = consumer.next(Duration.ofSeconds(1))) {
                assertEquals(102, RingRecords.seq(second.payload()));
            }
            assertNull(consumer.next());
            assertEquals(1, consumer.discarded());
            assertEquals(72, ring.status().consumerPosition());
            assertFalse(ring.isSealed());
            MapAccessDeniedException e = assertThrows(MapAccessDeniedException.class, () -> ring.offer(new byte[1]));
            assertEquals("ring '" + name + "' is a kernel BPF ring buffer: only BPF programs produce into it"
                    + " (bpf_ringbuf_output, bpf_ringbuf_reserve); user space consumes it", e.getMessage());
            assertThrows(MapAccessDeniedException.class, ring::seal);
        }
    }

    @Test
    void aFullKernelRingMakesTheProgramFailUntilTheConsumerReads() {
        try (SharedRing ring = SharedRing.create(spec(4096));
             RingEmitter emitter = RingEmitter.load(Bpffs.defaultPin(name));
             RingConsumer consumer = ring.consumer()) {
            int written = 0;
            while (emitter.emit(1, RingEmitter.KIND_RECORD, written) == 0) written++;
            assertEquals(4096 / 24, written, "170 records of 24 bytes fit in 4096");
            assertEquals(RingEmitter.RING_FULL, emitter.emit(1, RingEmitter.KIND_RECORD, written));
            assertEquals(0, RingRecords.seq(consumer.next().payload()));
            consumer.next(Duration.ZERO); // still held: refused
        } catch (IllegalStateException expected) {
            assertTrue(expected.getMessage().startsWith("release the record at position 0"), expected.getMessage());
        }
    }

    @Test
    void aRingPinnedByAnotherProgramIsAdopted() {
        Machine.requireBpftool();
        Path pin = pins.track(Bpffs.ROOT.resolve(name));
        KernelAssumptions.bpftool("map", "create", pin.toString(), "type", "ringbuf", "key", "0", "value", "0",
                "entries", "8192", "name", "adopted").ok();
        try (RingEmitter emitter = RingEmitter.load(pin);
             SharedRing ring = SharedRing.open(MapSpec.pinnedRing(pin).dir(dir));
             RingConsumer consumer = ring.consumer()) {
            assertEquals(8192, ring.capacityBytes());
            assertEquals(0, emitter.emit(3, RingEmitter.KIND_RECORD, 42));
            assertEquals(42, RingRecords.seq(consumer.next(Duration.ofSeconds(1)).payload()));
        }
        MapInfo info = SharedMaps.info(MapSpec.existing(name).dir(dir));
        assertEquals(MapType.RING, info.type());
        assertEquals(Backend.BPF, info.backend());
        assertEquals(pin.toString(), info.details().get("pin"));
        SharedMaps.delete(MapSpec.existing(name).dir(dir));
        assertFalse(Files.exists(pin), "deleting the adopted ring removes its pin");
    }

    @Test
    void anArrayPinIsNotARing() {
        Machine.requireBpf();
        String array = name + "a";
        pins.track(Bpffs.defaultPin(array));
        try (SharedArray<Long> ignored = SharedArray.create(MapSpec.array(array, Codec.i64(), 4).dir(dir).backend(Backend.BPF))) {
            // adopting it as a ring would make a sidecar of its name: in another folder than the array's own sidecar
            IncompatibleMapException e = assertThrows(IncompatibleMapException.class,
                    () -> SharedRing.open(MapSpec.pinnedRing(Bpffs.defaultPin(array)).dir(dir.resolve("rings"))));
            assertEquals("map '" + array + "' pinned at " + Bpffs.defaultPin(array) + " is a array map; a ring is a kernel"
                    + " ring buffer (BPF_MAP_TYPE_RINGBUF or USER_RINGBUF)", e.getMessage());
        }
    }

    @Test
    void recordsFromABpfProgramReachAConsumerInAnotherJvmExactlyOnceInOrder() throws Exception {
        int records = 100_000;
        try (SharedRing ignored = SharedRing.create(spec(1 << 18));
             RingEmitter emitter = RingEmitter.load(Bpffs.defaultPin(name));
             ChildJvm consumer = TestJvm.start(RingConsumerChild.class, dir.toString(), name, "BPF",
                     Integer.toString(records), "120")) {
            consumer.awaitLine("consuming", 60);
            long fullRetries = 0, discards = 0;
            for (int seq = 0; seq < records; seq++) {
                if (seq % 8 == 0) { // a discarded record before every eighth: the consumer must skip each
                    while (emitter.emit(1, RingEmitter.KIND_DISCARD, -1) == RingEmitter.RING_FULL) Thread.onSpinWait();
                    discards++;
                }
                while (emitter.emit(1, RingEmitter.KIND_RECORD, seq) == RingEmitter.RING_FULL) {
                    fullRetries++;
                    Thread.onSpinWait();
                }
            }
            consumer.awaitSuccess(120);
            String last = consumer.output().strip().lines().reduce((a, b) -> b).orElse("");
            System.out.println("kernel ring consumer in another JVM: " + last + " (emitter found the ring full "
                    + fullRetries + " times)");
            assertEquals(12_500, discards);
            assertEquals("records=100000 lost=0 discarded=12500 violations=0 counts=1:100000", last);
        }
    }

    @Test
    void aKernelRingHasOneConsumerAcrossProcesses() throws Exception {
        try (SharedRing ring = SharedRing.create(spec(4096))) {
            long childPid;
            try (ChildJvm consumer = TestJvm.start(RingConsumerChild.class, dir.toString(), name, "BPF", "-1", "120")) {
                consumer.awaitLine("consuming", 60);
                childPid = consumer.pid();
                ConsumerBusyException e = assertThrows(ConsumerBusyException.class, ring::consumer);
                assertEquals("ring '" + name + "' already has a consumer: pid " + childPid + "; a ring has one consumer"
                        + " at a time, until its handle is closed or its process ends", e.getMessage());
                assertEquals(childPid, ring.status().consumerPid());
                consumer.kill();
            }
            try (RingConsumer mine = ring.consumer()) {
                assertEquals(Proc.PID, ring.status().consumerPid(), "the killed consumer's role is free");
                assertNull(mine.poll());
            }
        }
    }
}
