package dev.mapsync.testkit;

import dev.mapsync.internal.asm.Program;
import dev.mapsync.internal.store.KernelMap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The BPF program of {@code test/resources/bpf/user_ring_drain.bpf.c}, compiled with clang and loaded with bpftool into
 * a folder of its own in bpffs, with its maps pinned beside it: {@code ring} (a 4096-byte user ring buffer) and
 * {@code results}. Each {@link #drain} runs it once; it drains the ring with {@code bpf_user_ringbuf_drain} and counts
 * in {@link #results}: records drained, the sum of their first u64, records that are not 16 bytes of {@code i, i*i},
 * and what the last drain returned. Closing it removes the pins (and so the program and maps).
 */
public final class UserRingDrain implements AutoCloseable {
    private final BpfObject program;

    private UserRingDrain(BpfObject program) {
        this.program = program;
    }

    /** Compiles and loads the program (skips the test when clang or bpftool is missing). */
    public static UserRingDrain load(Path workDir) {
        return load(workDir, null);
    }

    /**
     * {@link #load(Path)} with the program draining the user ring pinned at {@code ring} instead of one of its own
     * (which is then also pinned as {@link #ring()}).
     */
    public static UserRingDrain load(Path workDir, Path ring) {
        return new UserRingDrain(BpfObject.load(workDir, "user_ring_drain.bpf.c",
                ring == null ? Map.of() : Map.of("ring", ring)));
    }

    /** The pin of the user ring buffer. */
    public Path ring() {
        return program.pin("ring");
    }

    /** Runs the program once: it drains the ring. */
    public void drain() {
        try (Program drain = Program.openPinned(program.pin("prog"))) {
            int retval = drain.testRun(0, MemorySegment.NULL).retval();
            if (retval != 0) throw new AssertionError("the drain program returned " + retval);
        }
    }

    /** Records drained, the sum of their first words, bad records, and what the last drain returned. */
    public List<Long> results() {
        List<Long> r = new ArrayList<>();
        try (KernelMap map = KernelMap.openPin("results", program.pin("results"), true); Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(8, 8);
            for (int i = 0; i < 4; i++) {
                map.load(i, v);
                r.add(v.get(ValueLayout.JAVA_LONG, 0));
            }
        }
        return r;
    }

    @Override
    public void close() {
        program.close();
    }
}
