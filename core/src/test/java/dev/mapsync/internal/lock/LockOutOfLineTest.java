package dev.mapsync.internal.lock;

import com.sun.management.HotSpotDiagnosticMXBean;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.attribute.CodeAttribute;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A lock guard stays off the heap only where the JIT inlines its close into the code that made it, and C2 inlines a
 * compiled close only while that close compiled to little code ({@code InlineSmallCode}). The lock word's transitions
 * (five checked accesses to the shared page each) are more than that, so acquire and release must each be a call into
 * one method whose bytecode is larger than {@code FreqInlineSize}, which C2 never inlines. The bytecode's shape stands
 * in for the guard's allocation, which only a contended, warmed-up run shows (docs/BENCHMARKS.md).
 */
class LockOutOfLineTest {
    /** C2's default on x86-64 and AArch64; a JVM run with a lower setting does not make a smaller method enough. */
    private static final int FREQ_INLINE_SIZE = 325;

    @Test
    void acquireAndReleaseCallOneMethodLargerThanTheJitInlines() throws IOException {
        ClassModel locks = classModel();
        int limit = Math.max(FREQ_INLINE_SIZE, runningLimit());
        MethodModel both = method(locks, "lockOrUnlock");
        int length = both.findAttribute(Attributes.code()).map(CodeAttribute::codeLength).orElse(0);
        assertTrue(length > limit, "lockOrUnlock is " + length + " bytes of bytecode, not more than FreqInlineSize ("
                + limit + "): C2 would inline it");
        assertEquals(List.of("lockOrUnlock"), callsWithin(locks, "acquire"), "acquire must only call lockOrUnlock");
        assertEquals(List.of("lockOrUnlock"), callsWithin(locks, "release"), "release must only call lockOrUnlock");
    }

    /** This JVM's {@code FreqInlineSize}, or 0 where it has none (a JVM without C2, or not HotSpot). */
    private static int runningLimit() {
        try {
            return Integer.parseInt(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .getVMOption("FreqInlineSize").getValue());
        } catch (IllegalArgumentException | NullPointerException absent) {
            return 0;
        }
    }

    /** The methods of EntryLocks that its method {@code name} calls. */
    private static List<String> callsWithin(ClassModel locks, String name) {
        return method(locks, name).code().orElseThrow().elementStream()
                .filter(e -> e instanceof InvokeInstruction i && i.owner().equals(locks.thisClass()))
                .map(e -> ((InvokeInstruction) e).name().stringValue())
                .toList();
    }

    private static MethodModel method(ClassModel locks, String name) {
        return locks.methods().stream().filter(m -> m.methodName().equalsString(name)).findFirst()
                .orElseThrow(() -> new AssertionError("EntryLocks has no method " + name));
    }

    private static ClassModel classModel() throws IOException {
        try (InputStream in = EntryLocks.class.getResourceAsStream("EntryLocks.class")) {
            return ClassFile.of().parse(Objects.requireNonNull(in, "EntryLocks.class not found").readAllBytes());
        }
    }
}
