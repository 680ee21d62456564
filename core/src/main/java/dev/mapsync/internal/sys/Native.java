package dev.mapsync.internal.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/** The FFM plumbing every binding shares: the C library lookup and errno capture. */
final class Native {
    private Native() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    /**
     * One errno capture buffer per thread. Automatic arenas let the buffer of a finished (virtual) thread be
     * collected; a system call costs far more than the thread-local lookup.
     */
    private static final ThreadLocal<MemorySegment> CAPTURE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    /** A downcall to a libc function that records errno; the first argument of the handle is the capture buffer. */
    static MethodHandle errnoCall(String name, FunctionDescriptor fd, Linker.Option... extra) {
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = Linker.Option.captureCallState("errno");
        System.arraycopy(extra, 0, options, 1, extra.length);
        return link(find(name), fd, options);
    }

    /** A downcall to a libc function that cannot fail. */
    static MethodHandle call(String name, FunctionDescriptor fd) {
        return link(find(name), fd);
    }

    /**
     * Links a downcall.
     *
     * @throws IllegalCallerException if the JVM denies this code native access ({@code --illegal-native-access=deny}),
     *                                saying which option grants it
     */
    private static MethodHandle link(MemorySegment symbol, FunctionDescriptor fd, Linker.Option... options) {
        try {
            return LINKER.downcallHandle(symbol, fd, options);
        } catch (IllegalCallerException e) {
            Module module = Native.class.getModule();
            String grant = "--enable-native-access=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED");
            throw new IllegalCallerException("native access is denied, and mapsync needs it: run java with " + grant
                    + " (" + e.getMessage() + ")", e);
        }
    }

    private static MemorySegment find(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }

    /** This thread's errno capture buffer, to pass as the first argument of an {@link #errnoCall} handle. */
    static MemorySegment capture() {
        return CAPTURE.get();
    }

    /** The errno the last {@link #errnoCall} on this thread recorded. */
    static int errno() {
        return (int) ERRNO.get(CAPTURE.get(), 0L);
    }
}
