package dev.mapsync;

import dev.mapsync.internal.sys.Bpf;
import dev.mapsync.internal.store.Bpffs;
import dev.mapsync.internal.asm.Insn;
import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.internal.store.KernelMap;
import dev.mapsync.internal.asm.Program;
import dev.mapsync.internal.asm.ProgramBuilder;
import dev.mapsync.internal.asm.Reg;
import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.TestJvm;
import dev.mapsync.testkit.GatedAdder;
import dev.mapsync.testkit.Machine;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Kernel and user space increment one element of a bpf map at the same moment: a BPF program run by
 * {@code BPF_PROG_TEST_RUN} with a repeat count ({@code lock xadd} in the kernel's JIT code) against two separate
 * JVM processes making {@code getAndAdd}s on the mapped page. Not one increment may be lost.
 */
class BpfKernelRaceTest {
    private static final int N = 1_000_000;
    private static final int ENTRIES = 4, COUNTER = 1, READY = 2, GO = 3;

    @TempDir
    Path dir;

    @RegisterExtension
    final KernelAssumptions.Pins pins = new KernelAssumptions.Pins();

    @BeforeEach
    void needsBpf() {
        Machine.requireBpf();
    }

    @Test
    void aBpfProgramAndTwoJvmProcessesAddToOneElementWithoutLosingOne() throws Exception {
        String name = KernelAssumptions.uniqueName("race3");
        Path pin = pins.track(Bpffs.defaultPin(name));
        ArraySpec<Long> spec = MapSpec.array(name, Codec.i64(), ENTRIES).backend(Backend.BPF).dir(dir);
        try (SharedArray<Long> map = SharedArray.create(spec);
             KernelMap kernelMap = KernelMap.openPin(name, pin, false);
             Program addOne = Program.load(Program.Type.SOCKET_FILTER, addOne(kernelMap.fd()), "add_one")) {
            LongSlots slots = map.longs();
            String[] args = {dir.toString(), name, Backend.BPF.name(), Integer.toString(ENTRIES), Integer.toString(COUNTER),
                    Integer.toString(N), Integer.toString(READY), Integer.toString(GO)};
            try (ChildJvm a = TestJvm.start(GatedAdder.class, args); ChildJvm b = TestJvm.start(GatedAdder.class, args)) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (slots.getVolatile(READY) < 2) {
                    if (!a.process().isAlive() || !b.process().isAlive() || System.nanoTime() > deadline) {
                        throw new AssertionError("a child did not get ready:\n" + a.output() + "\n" + b.output());
                    }
                    Thread.sleep(1);
                }
                FutureTask<Bpf.TestRunResult> kernel = new FutureTask<>(() -> addOne.testRun(N));
                slots.setRelease(GO, 1);
                Thread.ofPlatform().start(kernel);
                Bpf.TestRunResult result = kernel.get(120, TimeUnit.SECONDS);
                a.awaitSuccess(120);
                b.awaitSuccess(120);
                assertEquals(1, result.retval(), "the program found its element");
                assertEquals("added " + N, a.output().strip());
                assertEquals("added " + N, b.output().strip());
            }
            assertEquals(3L * N, slots.getVolatile(COUNTER));
            assertEquals(2L, slots.getVolatile(READY));
        }
    }

    /** {@code lock *(u64 *)&value[COUNTER] += 1; return 1} (0 if the lookup missed). */
    private static List<Insn> addOne(int mapFd) {
        ProgramBuilder b = new ProgramBuilder();
        ProgramBuilder.Label miss = b.label(), done = b.label();
        return b.lookupElement(mapFd, COUNTER, miss)
                .mov(Reg.R1, 1)
                .atomicAdd(ProgramBuilder.Width.DW, Reg.R0, 0, Reg.R1)
                .mov(Reg.R0, 1)
                .jump(done)
                .bind(miss)
                .mov(Reg.R0, 0)
                .bind(done)
                .exit()
                .build();
    }
}
