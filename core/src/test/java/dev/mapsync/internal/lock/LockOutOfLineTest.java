package dev.mapsync.internal.lock;

import com.sun.management.HotSpotDiagnosticMXBean;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.attribute.CodeAttribute;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A lock guard stays off the heap only while the JIT inlines its close into the code that made it, and it inlines a
 * compiled close only while that close compiled to little code ({@code InlineSmallCode}). The lock word's protocol
 * (five checked accesses to the shared page at an unlock) is more than that, so acquire and release must each be a call
 * the JIT never inlines: into one method whose bytecode is larger than {@code FreqInlineSize}.
 */
class LockOutOfLineTest {
    @Test
    void acquireAndReleaseCallOneMethodLargerThanTheJitInlines() throws IOException {
        ClassModel locks = classModel();
        int limit = Integer.parseInt(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                .getVMOption("FreqInlineSize").getValue());
        TreeSet<String> large = new TreeSet<>();
        for (MethodModel m : locks.methods()) {
            int length = m.findAttribute(java.lang.classfile.Attributes.code()).map(CodeAttribute::codeLength).orElse(0);
            if (length > limit) large.add(m.methodName().stringValue());
        }
        assertTrue(large.contains("lockOrUnlock"), "EntryLocks' methods larger than " + limit + " bytes of bytecode: "
                + large);
        assertEquals(List.of("lockOrUnlock"), callsWithin(locks, "acquire"));
        assertEquals(List.of("lockOrUnlock"), callsWithin(locks, "release"));
    }

    /** The methods of EntryLocks the public method {@code name} calls. */
    private static List<String> callsWithin(ClassModel locks, String name) {
        MethodModel method = locks.methods().stream().filter(m -> m.methodName().equalsString(name)).findFirst()
                .orElseThrow();
        CodeModel code = method.code().orElseThrow();
        return code.elementStream()
                .filter(e -> e instanceof InvokeInstruction i && i.owner().asInternalName().equals(locks.thisClass()
                        .asInternalName()))
                .map(e -> ((InvokeInstruction) e).name().stringValue())
                .toList();
    }

    private static ClassModel classModel() throws IOException {
        try (InputStream in = EntryLocks.class.getResourceAsStream("EntryLocks.class")) {
            return ClassFile.of().parse(in.readAllBytes());
        }
    }
}
