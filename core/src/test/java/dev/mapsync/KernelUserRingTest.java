package dev.mapsync;

import dev.mapsync.internal.store.Bpffs;
import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.testkit.UserRingDrain;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A ring into the kernel: this process produces into a {@code BPF_MAP_TYPE_USER_RINGBUF} with the claim and commit of
 * every ring, and a BPF program ({@link UserRingDrain}) drains it with {@code bpf_user_ringbuf_drain}, counting the
 * records and checking what they hold.
 */
class KernelUserRingTest {
    @TempDir
    Path dir;

    private UserRingDrain program;

    @RegisterExtension
    final KernelAssumptions.Pins pins = new KernelAssumptions.Pins();

    @BeforeEach
    void load() {
        program = UserRingDrain.load(dir);
    }

    @AfterEach
    void unload() {
        if (program != null) program.close();
    }

    private static void put(SharedRing ring, long i) {
        try (RingClaim claim = ring.tryClaim(16)) {
            claim.payload().set(ValueLayout.JAVA_LONG_UNALIGNED, 0, i);
            claim.payload().set(ValueLayout.JAVA_LONG_UNALIGNED, 8, i * i);
            if (i == 3) claim.discard(); // the kernel skips a discarded record
            else claim.commit();
        }
    }

    @Test
    void aFullUserRingIsRecordedWithTheBytesTheKernelsPositionsSayAreUsed() throws Exception {
        java.nio.file.Path file = dir.resolve("full.jfr");
        try (SharedRing ring = SharedRing.open(MapSpec.pinnedRing(program.ring()).dir(dir));
             jdk.jfr.Recording recording = new jdk.jfr.Recording()) {
            recording.enable("dev.mapsync.RingFull");
            recording.start();
            int records = 0;
            while (ring.offer(new byte[16])) records++;
            assertEquals(4096 / 24, records);
            recording.stop();
            recording.dump(file);
        }
        List<jdk.jfr.consumer.RecordedEvent> full = jdk.jfr.consumer.RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("dev.mapsync.RingFull")).toList();
        assertEquals(1, full.size());
        assertEquals(4096 / 24 * 24L, full.getFirst().getLong("bytesUsed"), "used: the kernel's positions, not the sidecar's");
        assertEquals(4096L, full.getFirst().getLong("capacity"));
    }

    @Test
    void recordsClaimedAndCommittedHereAreDrainedByABpfProgram() {
        try (SharedRing ring = SharedRing.open(MapSpec.pinnedRing(program.ring()).dir(dir))) {
            assertEquals(Backend.BPF, ring.backend());
            assertEquals(4096, ring.capacityBytes());
            for (long i = 1; i <= 5; i++) put(ring, i);
            byte[] wrong = new byte[16];
            wrong[0] = 7; // 7 and 0: not a square, counted as bad
            assertEquals(true, ring.offer(wrong));
            program.drain();
            // 4 committed records and the wrong one; the discarded one is skipped (yet the drain counts it as consumed)
            assertEquals(List.of(5L, 1L + 2 + 4 + 5 + 7, 1L, 5L), program.results());
            RingStatus status = ring.status();
            assertEquals(List.of(6 * 24L, 6 * 24L), List.of(status.producerPosition(), status.consumerPosition()),
                    "the program consumed every record, the discarded one too");

            // a second round after the first was drained: the positions go on
            put(ring, 10);
            put(ring, 11);
            program.drain();
            assertEquals(List.of(7L, 19L + 10 + 11, 1L, 2L), program.results());

            MapAccessDeniedException consume = assertThrows(MapAccessDeniedException.class, ring::consumer);
            assertEquals("ring 'ring' is a kernel user ring buffer (BPF_MAP_TYPE_USER_RINGBUF): only BPF programs consume"
                    + " it (bpf_user_ringbuf_drain); user space produces into it", consume.getMessage());
        }
    }

    @Test
    void aFullUserRingRefusesAClaimUntilTheProgramDrainsIt() {
        try (SharedRing ring = SharedRing.open(MapSpec.pinnedRing(program.ring()).dir(dir))) {
            int fits = 0;
            while (ring.offer(new byte[]{1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0})) fits++;
            assertEquals(4096 / 24, fits);
            program.drain();
            assertEquals(List.of((long) fits, (long) fits, 0L, (long) fits), program.results());
            assertEquals(true, ring.offer(new byte[16]));
        }
    }

    @Test
    void aUserRingMadeHereIsPinnedAndDrainedByAProgramThatReusesThePin() {
        program.close(); // this test loads the program on the ring it makes
        program = null;
        String name = KernelAssumptions.uniqueName("uring");
        Path pin = pins.track(Bpffs.defaultPin(name));
        RingSpec spec = MapSpec.ring(name, 8192).backend(Backend.BPF).userRing(true).dir(dir);
        try (SharedRing ring = SharedRing.create(spec)) {
            assertEquals("user_ringbuf", ring.info().details().get("kernel map"));
            put(ring, 6);
            program = UserRingDrain.load(dir.resolve("work"), pin);
            put(ring, 7);
            program.drain();
            assertEquals(List.of(2L, 13L, 0L, 2L), program.results());
        }
        IncompatibleMapException plain = assertThrows(IncompatibleMapException.class,
                () -> SharedRing.open(MapSpec.ring(name, 8192).backend(Backend.BPF).dir(dir)));
        assertEquals("kernel map type", plain.field());
        IllegalArgumentException shm = assertThrows(IllegalArgumentException.class,
                () -> SharedRing.create(MapSpec.ring("plain", 4096).userRing(true).dir(dir)));
        assertEquals("ring 'plain': a ring into the kernel is a kernel map (BPF_MAP_TYPE_USER_RINGBUF); use the bpf"
                + " backend", shm.getMessage());
    }
}
