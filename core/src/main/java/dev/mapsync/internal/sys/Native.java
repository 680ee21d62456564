package dev.mapsync.internal.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The one downcall every binding shares: libc's {@code long syscall(long number, ...)} with six arguments, recording
 * errno. The JVM makes a stub and a chain of method handles for each shape of downcall it links, some milliseconds
 * apiece; one shape for every call makes a command that opens a map pay that once (docs/BENCHMARKS.md, start-up).
 * Arguments are numbers: a pointer is passed as its address, and the caller keeps the memory alive across the call
 * (they are confined arenas of the calling method, or mappings of an open map). Unused arguments are 0: the kernel
 * reads only those its call takes.
 */
final class Native {
    private Native() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    /** Where errno is in the capture buffer; read with a plain get (a layout's var handle costs milliseconds to make). */
    private static final long ERRNO = CAPTURE_LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle SYSCALL = link();

    /**
     * One errno capture buffer per thread. Automatic arenas let the buffer of a finished (virtual) thread be
     * collected; a system call costs far more than the thread-local lookup.
     */
    private static final ThreadLocal<MemorySegment> CAPTURE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    /**
     * Links {@code syscall}.
     *
     * @throws IllegalCallerException if the JVM denies this code native access ({@code --illegal-native-access=deny}),
     *                                saying which option grants it
     */
    private static MethodHandle link() {
        MemorySegment symbol = LINKER.defaultLookup().find("syscall")
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no syscall"));
        FunctionDescriptor shape = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
                JAVA_LONG, JAVA_LONG, JAVA_LONG);
        try {
            return LINKER.downcallHandle(symbol, shape, Linker.Option.captureCallState("errno"),
                    Linker.Option.firstVariadicArg(1));
        } catch (IllegalCallerException e) {
            Module module = Native.class.getModule();
            String grant = "--enable-native-access=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED");
            throw new IllegalCallerException("native access is denied, and mapsync needs it: run java with " + grant
                    + " (" + e.getMessage() + ")", e);
        }
    }

    /** System call {@code number} with six arguments: its result, or -1 with {@link #errno()} set. */
    static long syscall(long number, long a, long b, long c, long d, long e, long f) {
        try {
            return (long) SYSCALL.invokeExact(CAPTURE.get(), number, a, b, c, d, e, f);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static long syscall(long number, long a, long b, long c) {
        return syscall(number, a, b, c, 0, 0, 0);
    }

    /** The errno the last {@link #syscall} on this thread recorded. */
    static int errno() {
        return CAPTURE.get().get(JAVA_INT, ERRNO);
    }

    /**
     * Throws {@link SyscallException} naming {@code what} with this thread's errno if {@code result} is negative;
     * returns {@code result} otherwise.
     */
    static long check(long result, String what) {
        if (result < 0) throw new SyscallException(what, errno());
        return result;
    }
}
