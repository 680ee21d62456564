package dev.mapsync.internal.asm;

import dev.mapsync.internal.sys.Bpf;
import dev.mapsync.internal.sys.LibC;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/** A BPF program loaded into the kernel, run with {@code BPF_PROG_TEST_RUN}. Closing it drops this descriptor. */
public final class Program implements AutoCloseable {
    /** The program types mapsync loads. The skb types can be test-run with a repeat count (kernel-facts §4). */
    public enum Type {
        /** {@code BPF_PROG_TYPE_SOCKET_FILTER}: may call map helpers, not bpf_spin_lock. */
        SOCKET_FILTER(1),
        /** {@code BPF_PROG_TYPE_SCHED_CLS}: may also take bpf_spin_lock. */
        SCHED_CLS(3),
        /**
         * {@code BPF_PROG_TYPE_RAW_TRACEPOINT}: test-run once per call, but on a chosen CPU
         * ({@link #testRunOnCpu}), which is what per-CPU maps are tested with.
         */
        RAW_TRACEPOINT(17);

        final int code;

        Type(int code) {
            this.code = code;
        }
    }

    /** The packet test runs feed the program: skb programs need at least an Ethernet header (14 bytes). */
    public static final int TEST_PACKET_SIZE = 64;

    // the helpers these programs call are not GPL-only; "GPL" keeps every helper available to them
    private static final String LICENSE = "GPL";

    private final int fd;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Program(int fd) {
        this.fd = fd;
    }

    /**
     * Loads the instructions. A refusal throws {@link dev.mapsync.internal.sys.SyscallException} whose message
     * ends with the verifier log.
     *
     * @param name a name for bpftool (at most 15 of {@code A-Z a-z 0-9 _ .}; others become {@code _})
     */
    public static Program load(Type type, List<Insn> insns, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment code = arena.allocate((long) insns.size() * Insn.SIZE, 8);
            for (int i = 0; i < insns.size(); i++) insns.get(i).writeTo(code, (long) i * Insn.SIZE);
            return new Program(Bpf.progLoad(type.code, code, insns.size(), name, LICENSE));
        }
    }

    /**
     * Opens the program pinned at {@code pin} (needs only the pin's file permission, not CAP_BPF).
     *
     * @throws dev.mapsync.internal.sys.SyscallException from {@code BPF_OBJ_GET}
     * @throws IllegalArgumentException                    if the pin holds something else than a program
     */
    public static Program openPinned(Path pin) {
        int fd = Bpf.objGet(pin, 0);
        String kind = Bpf.objectKind(fd);
        if (!kind.equals("prog")) {
            LibC.close(fd);
            throw new IllegalArgumentException(pin + " holds a BPF " + kind + ", not a program");
        }
        return new Program(fd);
    }

    /** The program's descriptor. */
    public int fd() {
        return fd;
    }

    /** Runs the program {@code repeat} times in the kernel on a zeroed test packet; returns the last run's result. */
    public Bpf.TestRunResult testRun(int repeat) {
        try (Arena arena = Arena.ofConfined()) {
            return Bpf.testRun(fd, repeat, arena.allocate(TEST_PACKET_SIZE, 8));
        }
    }

    /** Runs the program {@code repeat} times in the kernel on {@code packet} (at least 14 bytes for skb programs). */
    public Bpf.TestRunResult testRun(int repeat, MemorySegment packet) {
        return Bpf.testRun(fd, repeat, packet);
    }

    /** Runs a {@link Type#RAW_TRACEPOINT} program once on CPU {@code cpu}; returns its result. */
    public int testRunOnCpu(int cpu) {
        return Bpf.testRunOnCpu(fd, cpu);
    }

        /** Pins the program at {@code path} in a bpf file system. */
    public void pin(Path path) {
        Bpf.pin(fd, path);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) LibC.close(fd);
    }
}
