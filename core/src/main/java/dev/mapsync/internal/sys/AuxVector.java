package dev.mapsync.internal.sys;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * What the kernel told this process at its start ({@code /proc/self/auxv}): the page size, read without a downcall
 * ({@code sysconf} is not a system call, and a downcall of its own shape costs milliseconds at start-up). A process
 * that may not read its own auxv (one that is not dumpable: started with file capabilities, or by a set-id program;
 * or without {@code /proc}) asks {@code sysconf} instead.
 */
final class AuxVector {
    private AuxVector() {}

    private static final long AT_NULL = 0, AT_PAGESZ = 6;
    private static final int SC_PAGESIZE = 30;

    /** {@code AT_PAGESZ}, or {@code sysconf(_SC_PAGESIZE)} where auxv cannot be read. */
    static long pageSize() {
        try {
            ByteBuffer auxv = ByteBuffer.wrap(Files.readAllBytes(Path.of("/proc/self/auxv"))).order(ByteOrder.nativeOrder());
            while (auxv.remaining() >= 16) {
                long type = auxv.getLong(), value = auxv.getLong();
                if (type == AT_PAGESZ) return value;
                if (type == AT_NULL) break;
            }
        } catch (IOException | SecurityException e) {
            // not dumpable, or no /proc: libc knows too
        }
        return sysconfPageSize();
    }

    private static long sysconfPageSize() {
        Linker linker = Linker.nativeLinker();
        MethodHandle sysconf = linker.downcallHandle(linker.defaultLookup().find("sysconf")
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no sysconf")), FunctionDescriptor.of(JAVA_LONG, JAVA_INT));
        try {
            return (long) sysconf.invokeExact(SC_PAGESIZE);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
