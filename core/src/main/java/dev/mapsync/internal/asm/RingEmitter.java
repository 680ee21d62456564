package dev.mapsync.internal.asm;

import dev.mapsync.internal.sys.Bpf;
import dev.mapsync.internal.sys.KernelMapInfo;
import dev.mapsync.internal.sys.LibC;
import dev.mapsync.internal.sys.Layouts;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;

/**
 * A BPF program that writes records into a kernel ring buffer when user space runs it with
 * {@code BPF_PROG_TEST_RUN}: the way a process without a BPF hook of its own makes a kernel producer do what a
 * tracing program would (kernel-facts §7, the doorbell of t8). Each run copies a 16-byte record from the test packet
 * into the ring with {@code bpf_ringbuf_output}, or, when the record's kind is {@link #KIND_DISCARD}, reserves one
 * with {@code bpf_ringbuf_reserve} and throws it away with {@code bpf_ringbuf_discard}, leaving a discarded record
 * for the consumer to skip.
 *
 * <p>Record (the program does not look at the other fields):
 * <pre>
 * offset size field
 *      0    4 source (such as a producer number)
 *      4    4 kind: 0 = a record, 1 = a discarded record
 *      8    8 sequence number
 * </pre>
 * The program returns 0, or -EAGAIN (-11) when the ring was full (nothing was written: run it again later).
 */
public final class RingEmitter implements AutoCloseable {
    /** The payload length of each record. */
    public static final int RECORD_SIZE = 16;
    public static final int KIND_RECORD = 0, KIND_DISCARD = 1;
    /** The program's result when the ring is full. */
    public static final int RING_FULL = -11;

    // a socket filter's test run pulls the 14-byte Ethernet header: packet offset 0 is data_in[14]
    private static final int L2_HEADER = 14;
    private static final int STACK = -RECORD_SIZE;

    private final Program program;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment packet = arena.allocate(Program.TEST_PACKET_SIZE, 8);

    private RingEmitter(Program program) {
        this.program = program;
    }

    /** The program for the ring buffer map with descriptor {@code ringFd}. */
    public static List<Insn> instructions(int ringFd) {
        ProgramBuilder b = new ProgramBuilder();
        ProgramBuilder.Label out = b.label(), discard = b.label(), full = b.label();
        b.mov(Reg.R6, Reg.R1)                                        // r6 = skb
                .mov(Reg.R1, Reg.R6)
                .mov(Reg.R2, 0)
                .mov(Reg.R3, Reg.R10)
                .addImm(Reg.R3, STACK)
                .mov(Reg.R4, RECORD_SIZE)
                .call(ProgramBuilder.Helper.SKB_LOAD_BYTES)           // the record onto the stack
                .jumpIfNotEqual(Reg.R0, 0, out)
                .load(ProgramBuilder.Width.W, Reg.R1, Reg.R10, STACK + 4)
                .jumpIfEqual(Reg.R1, KIND_DISCARD, discard)
                .ringbufOutput(ringFd, STACK, RECORD_SIZE, 0)         // r0 = 0 or -EAGAIN
                .jump(out)
                .bind(discard)
                .loadMap(Reg.R1, ringFd)
                .mov(Reg.R2, RECORD_SIZE)
                .mov(Reg.R3, 0)
                .call(ProgramBuilder.Helper.RINGBUF_RESERVE)
                .jumpIfEqual(Reg.R0, 0, full)
                .mov(Reg.R1, Reg.R0)
                .mov(Reg.R2, 0)
                .call(ProgramBuilder.Helper.RINGBUF_DISCARD)
                .mov(Reg.R0, 0)
                .jump(out)
                .bind(full)
                .mov(Reg.R0, RING_FULL)
                .bind(out)
                .exit();
        return b.build();
    }

    /** Loads the program for the kernel ring pinned at {@code ringPin} (needs CAP_BPF). */
    public static RingEmitter load(Path ringPin) {
        int ring = Bpf.objGet(ringPin, 0);
        try {
            String kind = Bpf.objectKind(ring);
            KernelMapInfo info = kind.equals("map") ? Bpf.mapInfo(ring) : null;
            if (info == null || !info.isRingBuf()) {
                throw new IllegalArgumentException(ringPin + " holds a " + (info == null ? "BPF " + kind : info.typeName() + " map")
                        + ", not a ringbuf");
            }
            return new RingEmitter(Program.load(Program.Type.SOCKET_FILTER, instructions(ring), "ring_emitter"));
        } finally {
            LibC.close(ring);
        }
    }

    /** Opens an emitter program pinned at {@code pin} (needs only the pin's permission). */
    public static RingEmitter openPinned(Path pin) {
        return new RingEmitter(Program.openPinned(pin));
    }

    /** Pins the program, so that processes without CAP_BPF can run it. */
    public void pin(Path pin) {
        program.pin(pin);
    }

    /**
     * Runs the program once on a packet carrying one record.
     *
     * @return 0, or {@link #RING_FULL}
     */
    public int emit(int source, int kind, long seq) {
        return emitBurst(source, kind, seq, 1);
    }

    /**
     * Runs the program {@code times} times back to back, in one {@code BPF_PROG_TEST_RUN}: a burst of the same record,
     * as fast as the kernel writes records.
     *
     * @return the last run's result: 0, or {@link #RING_FULL}
     */
    public int emitBurst(int source, int kind, long seq, int times) {
        packet.set(Layouts.INT, L2_HEADER, source);
        packet.set(Layouts.INT, L2_HEADER + 4, kind);
        packet.set(Layouts.LONG, L2_HEADER + 8, seq);
        return program.testRun(times, packet).retval();
    }

    /** Closes this descriptor of the program (a pin keeps it loaded). */
    @Override
    public void close() {
        try {
            program.close();
        } finally {
            arena.close();
        }
    }
}
