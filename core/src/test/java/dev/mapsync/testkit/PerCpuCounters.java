package dev.mapsync.testkit;

import dev.mapsync.internal.asm.Program;
import dev.mapsync.internal.asm.ProgramBuilder;
import dev.mapsync.internal.asm.Reg;
import dev.mapsync.internal.sys.Bpf;
import dev.mapsync.internal.sys.Cpus;
import dev.mapsync.internal.sys.LibC;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What BPF programs do to per-CPU maps, for tests that read them from other languages: a raw tracepoint program that
 * adds 1 to the u64 at offset 0 of one element (its own CPU's value), test-run on chosen CPUs.
 */
public final class PerCpuCounters {
    private PerCpuCounters() {}

    /** The possible CPUs; skips the test unless there are at least two to run programs on. */
    public static int requireTwoCpus() {
        Assumptions.assumeTrue(Cpus.possible() >= 2, "per-CPU tests need two CPUs; this machine has " + Cpus.possible()
                + " possible");
        return Cpus.possible();
    }

    /** Runs the incrementer of element {@code key} of the map pinned at {@code pin} {@code times[cpu]} times on each CPU. */
    public static void increment(Path pin, int key, int... times) {
        int fd = Bpf.objGet(pin, 0);
        try {
            ProgramBuilder b = new ProgramBuilder();
            ProgramBuilder.Label out = b.label();
            b.lookupElement(fd, key, out)
                    .mov(Reg.R1, 1)
                    .atomicAdd(ProgramBuilder.Width.DW, Reg.R0, 0, Reg.R1)
                    .bind(out)
                    .mov(Reg.R0, 0)
                    .exit();
            try (Program inc = Program.load(Program.Type.RAW_TRACEPOINT, b.build(), "percpu_inc")) {
                for (int cpu = 0; cpu < times.length; cpu++) {
                    for (int i = 0; i < times[cpu]; i++) assertEquals(0, inc.testRunOnCpu(cpu));
                }
            }
        } finally {
            LibC.close(fd);
        }
    }
}
