package dev.mapsync.internal.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** System calls that glibc does not wrap, made through {@code syscall(2)}. */
public final class Syscall {
    private Syscall() {}

    // long syscall(long number, ...): the arguments after the number are variadic
    private static final MethodHandle BPF = Native.errnoCall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), Linker.Option.firstVariadicArg(1));

    /**
     * {@code bpf(cmd, attr, size)}. Returns the kernel's result (a file descriptor for the commands that make one,
     * else 0), or minus the errno on failure, so that the caller can name the command in its exception and a
     * failed lookup costs no allocation. Never throws for a failed call.
     */
    public static long bpf(int cmd, MemorySegment attr, int size) {
        try {
            long r = (long) BPF.invokeExact(Native.capture(), Arch.SYS_BPF, cmd, attr, size);
            return r < 0 ? -Native.errno() : r;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
