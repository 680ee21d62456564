package dev.mapsync.cli.demo;

import dev.mapsync.internal.sys.Bpf;
import dev.mapsync.internal.asm.Insn;
import dev.mapsync.internal.store.KernelMap;
import dev.mapsync.internal.asm.Program;
import dev.mapsync.internal.asm.ProgramBuilder;
import dev.mapsync.internal.asm.ProgramBuilder.Width;
import dev.mapsync.internal.asm.Reg;
import dev.mapsync.internal.sys.Errno;
import dev.mapsync.internal.sys.SyscallException;

import java.nio.file.Path;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The counter phase's worker inside the kernel (bpf backend only): a BPF program that the kernel runs again and
 * again with {@code BPF_PROG_TEST_RUN(repeat)}, racing the worker JVMs on the very counters they increment, with
 * the same {@code lock}-prefixed instructions.
 *
 * <p>One run makes two atomic adds, as two operations of a worker JVM do: it takes a ticket from its own counter
 * (an atomic fetch-and-add of 1), then adds 1 to shared counter {@code ticket % SHARED}. So the shared counters
 * get its increments round robin, its own counter ends at the number of runs, and every count stays exact.
 * <pre>
 * r0 = lookup(map, own)          ; or exit
 * r1 = fetch_add(*r0, 1)         ; the ticket
 * r1 &amp;= SHARED - 1
 * r0 = lookup(map, r1)           ; or exit
 * lock *r0 += 1
 * return 1                       ; 0 when a lookup missed
 * </pre>
 */
final class KernelWorker implements AutoCloseable {
    /** The name bpftool shows for the program. */
    static final String PROGRAM_NAME = "demo_counters";

    private final KernelMap map;
    private final Program program;

    private KernelWorker(KernelMap map, Program program) {
        this.map = map;
        this.program = program;
    }

    /**
     * Loads the program for the counters map pinned at {@code pin}: counters {@code 0 .. shared-1} are shared, and
     * {@code ownSlot} is the program's own.
     */
    static KernelWorker load(Path pin, int shared, int ownSlot) {
        if (Integer.bitCount(shared) != 1) throw new IllegalArgumentException("shared counters must be a power of two");
        KernelMap map = KernelMap.openPin("demo counters", pin, false);
        try {
            return new KernelWorker(map, Program.load(Program.Type.SOCKET_FILTER, instructions(map.fd(), shared, ownSlot),
                    PROGRAM_NAME));
        } catch (RuntimeException e) {
            map.close();
            throw e;
        }
    }

    static List<Insn> instructions(int mapFd, int shared, int ownSlot) {
        ProgramBuilder b = new ProgramBuilder();
        ProgramBuilder.Label miss = b.label(), done = b.label();
        b.lookupElement(mapFd, ownSlot, miss)
                .mov(Reg.R1, 1)
                .atomicFetchAdd(Width.DW, Reg.R0, 0, Reg.R1)
                .andImm(Reg.R1, shared - 1)
                .lookupElement(mapFd, Reg.R1, miss)
                .mov(Reg.R1, 1)
                .atomicAdd(Width.DW, Reg.R0, 0, Reg.R1)
                .mov(Reg.R0, 1)
                .jump(done)
                .bind(miss)
                .mov(Reg.R0, 0)
                .bind(done)
                .exit();
        return b.build();
    }

    /** What the kernel worker did. */
    record Result(long runs, int nanosPerRun) {
        /** Each run is two atomic adds. */
        long operations() {
            return 2 * runs;
        }
    }

    /**
     * Runs the program until it has run {@code runs} times, as {@code done} (its own counter) tells. Counting on
     * the counter means that a test run a signal interrupted (EINTR, which comes between two runs) is simply
     * continued.
     *
     * @throws IllegalStateException if a run missed an element
     */
    Result run(long runs, LongSupplier done) {
        int nanosPerRun = 0;
        for (long d = done.getAsLong(); d < runs; d = done.getAsLong()) {
            int repeat = (int) Math.min(runs - d, 1 << 30);
            try {
                Bpf.TestRunResult r = program.testRun(repeat);
                if (r.retval() != 1) {
                    throw new dev.mapsync.cli.CommandFailure("the demo's BPF program missed a counter (it returned " + r.retval() + ")");
                }
                nanosPerRun = r.durationNanos();
            } catch (SyscallException e) {
                if (e.errno() != Errno.EINTR) throw e;
            }
        }
        return new Result(done.getAsLong(), nanosPerRun);
    }

    @Override
    public void close() {
        try {
            program.close();
        } finally {
            map.close();
        }
    }
}
