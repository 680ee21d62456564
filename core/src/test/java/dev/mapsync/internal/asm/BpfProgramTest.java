package dev.mapsync.internal.asm;

import dev.mapsync.internal.store.Bpffs;
import dev.mapsync.internal.store.KernelMap;
import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.IncompatibleMapException;
import dev.mapsync.Schema;
import dev.mapsync.internal.sys.Layouts;
import dev.mapsync.internal.sys.Errno;
import dev.mapsync.internal.sys.SyscallException;
import dev.mapsync.testkit.Machine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Programs made with {@link ProgramBuilder}: their bytes, the verifier's refusals, and each atomic run in the kernel. */
class BpfProgramTest {
    @RegisterExtension
    final KernelAssumptions.Pins pins = new KernelAssumptions.Pins();

    /** lookup(map, key) then a null check, leaving R0 = &value; {@code body} runs with it, then R0 is returned. */
    private static List<Insn> onElement(int mapFd, int key, java.util.function.Consumer<ProgramBuilder> body) {
        ProgramBuilder b = new ProgramBuilder();
        ProgramBuilder.Label miss = b.label(), done = b.label();
        b.lookupElement(mapFd, key, miss);
        body.accept(b);
        b.jump(done).bind(miss).mov(Reg.R0, -1).bind(done).exit();
        return b.build();
    }

    @Test
    void atomicAddProgramIsByteForByteTheVerifiedOne() {
        // kernel-facts §4, Variant A, map fd 3
        String expected = "620afcff00000000" + "bfa2000000000000" + "07020000fcffffff" + "1811000003000000"
                + "0000000000000000" + "8500000001000000" + "1500020000000000" + "b701000001000000"
                + "db10000000000000" + "b700000000000000" + "9500000000000000";
        ProgramBuilder b = new ProgramBuilder();
        ProgramBuilder.Label miss = b.label();
        b.lookupElement(3, 0, miss)
                .mov(Reg.R1, 1)
                .atomicAdd(ProgramBuilder.Width.DW, Reg.R0, 0, Reg.R1)
                .bind(miss)
                .mov(Reg.R0, 0)
                .exit();
        StringBuilder actual = new StringBuilder();
        for (Insn i : b.build()) actual.append(HexFormat.of().formatHex(i.bytes()));
        assertEquals(expected, actual.toString());
        assertEquals("db21000001000000", HexFormat.of().formatHex(new ProgramBuilder()
                .atomicFetchAdd(ProgramBuilder.Width.DW, Reg.R1, 0, Reg.R2).build().getFirst().bytes()));
        assertEquals("c321000000000000", HexFormat.of().formatHex(new ProgramBuilder()
                .atomicAdd(ProgramBuilder.Width.W, Reg.R1, 0, Reg.R2).build().getFirst().bytes()));
        assertEquals("5701000007000000", HexFormat.of().formatHex(new ProgramBuilder()
                .andImm(Reg.R1, 7).build().getFirst().bytes()), "r1 &= 7");
        assertEquals("631afcff00000000", HexFormat.of().formatHex(new ProgramBuilder()
                .store(ProgramBuilder.Width.W, Reg.R10, -4, Reg.R1).build().getFirst().bytes()), "*(u32 *)(r10 - 4) = r1");
        assertEquals("db210000f1000000", HexFormat.of().formatHex(new ProgramBuilder()
                .atomicCompareExchange(ProgramBuilder.Width.DW, Reg.R1, 0, Reg.R2).build().getFirst().bytes()));
    }

    @Test
    void unboundLabelIsRefused() {
        ProgramBuilder b = new ProgramBuilder();
        b.jump(b.label()).exit();
        assertThrows(IllegalStateException.class, b::build);
    }

    @Test
    void verifierRefusalCarriesTheVerifierLog() {
        Machine.requireBpf();
        // exits without setting R0. (A dereference without the null check is no longer a sure refusal: 6.18's
        // verifier proves a constant, in-range key of an array map non-null.)
        List<Insn> unsetReturn = new ProgramBuilder().mov(Reg.R1, 1).exit().build();
        SyscallException e = assertThrows(SyscallException.class,
                () -> Program.load(Program.Type.SOCKET_FILTER, unsetReturn, "no-return-value"));
        assertEquals(Errno.EACCES, e.errno());
        assertTrue(e.getMessage().startsWith("bpf(BPF_PROG_LOAD, no_return_value): EACCES (the verifier refused the program)\n"
                + "verifier log:"), e.getMessage());
        assertTrue(e.log().contains("R0 !read_ok"), e.log());
    }

    @Test
    void eachAtomicRunsInTheKernelOnTheMappedValue() {
        Machine.requireBpf();
        try (KernelMap map = KernelMap.createArray("atomics", Schema.parse("wide:u64,narrow:u32,pad:u32"), 4)) {
            MemorySegment data = map.map(false);
            int fd = map.fd();
            long at = 2 * 16; // element 2

            data.set(Layouts.LONG, at, 10);
            assertEquals(10, run(onElement(fd, 2, b -> b.mov(Reg.R1, 5)
                    .atomicFetchAdd(ProgramBuilder.Width.DW, Reg.R0, 0, Reg.R1).mov(Reg.R0, Reg.R1))));
            assertEquals(15, data.get(Layouts.LONG, at));

            data.set(Layouts.INT, at + 8, 100);
            assertEquals(100, run(onElement(fd, 2, b -> b.mov(Reg.R1, -1)
                    .atomicFetchAdd(ProgramBuilder.Width.W, Reg.R0, 8, Reg.R1).mov(Reg.R0, Reg.R1))));
            assertEquals(99, data.get(Layouts.INT, at + 8));

            run(onElement(fd, 2, b -> b.mov(Reg.R1, 3).atomicAdd(ProgramBuilder.Width.W, Reg.R0, 8, Reg.R1).mov(Reg.R0, 0)));
            assertEquals(102, data.get(Layouts.INT, at + 8));

            // cmpxchg compares with R0, so the value pointer moves to R6 first
            assertEquals(15, run(onElement(fd, 2, b -> b.mov(Reg.R6, Reg.R0).mov(Reg.R0, 15).mov(Reg.R1, 42)
                    .atomicCompareExchange(ProgramBuilder.Width.DW, Reg.R6, 0, Reg.R1))));
            assertEquals(42, data.get(Layouts.LONG, at), "expected value matched: swapped");
            assertEquals(42, run(onElement(fd, 2, b -> b.mov(Reg.R6, Reg.R0).mov(Reg.R0, 15).mov(Reg.R1, 7)
                    .atomicCompareExchange(ProgramBuilder.Width.DW, Reg.R6, 0, Reg.R1))));
            assertEquals(42, data.get(Layouts.LONG, at), "expected value did not match: unchanged");
            assertEquals(102, run(onElement(fd, 2, b -> b.mov(Reg.R6, Reg.R0).mov(Reg.R0, 102).mov(Reg.R1, 1)
                    .atomicCompareExchange(ProgramBuilder.Width.W, Reg.R6, 8, Reg.R1))));
            assertEquals(1, data.get(Layouts.INT, at + 8));

            assertEquals(42, run(onElement(fd, 2, b -> b.load64(Reg.R1, 0x1_0000_0001L)
                    .atomicExchange(ProgramBuilder.Width.DW, Reg.R0, 0, Reg.R1).mov(Reg.R0, Reg.R1))));
            assertEquals(0x1_0000_0001L, data.get(Layouts.LONG, at));

            data.set(Layouts.LONG, 3 * 16, 77);
            assertEquals(77, run(onElement(fd, 3, b -> b.load(ProgramBuilder.Width.DW, Reg.R0, Reg.R0, 0))));
            assertEquals(-1, run(onElement(fd, 9, b -> {})), "key past the end: lookup gives null");

            // a key the program computes in a register: 11 & 3 = 3
            ProgramBuilder computed = new ProgramBuilder();
            ProgramBuilder.Label miss = computed.label(), done = computed.label();
            computed.mov(Reg.R1, 11).andImm(Reg.R1, 3)
                    .lookupElement(fd, Reg.R1, miss)
                    .load(ProgramBuilder.Width.DW, Reg.R0, Reg.R0, 0)
                    .jump(done)
                    .bind(miss).mov(Reg.R0, -1)
                    .bind(done).exit();
            assertEquals(77, run(computed.build()));
        }
    }

    private static int run(List<Insn> insns) {
        try (Program p = Program.load(Program.Type.SOCKET_FILTER, insns, "atomic")) {
            return p.testRun(1).retval();
        }
    }

    @Test
    void aPinnedProgramIsNotAMap() {
        Machine.requireBpf();
        Path pin = pins.track(Bpffs.mapsyncDir().resolve(KernelAssumptions.uniqueName("prog")));
        try (Program p = Program.load(Program.Type.SOCKET_FILTER, new ProgramBuilder().mov(Reg.R0, 0).exit().build(), "noop")) {
            p.pin(pin);
        }
        IncompatibleMapException e = assertThrows(IncompatibleMapException.class, () -> KernelMap.openPin("p", pin, false));
        assertEquals("object type", e.field());
        assertTrue(e.getMessage().contains("a BPF prog pinned at " + pin), e.getMessage());
    }
}
