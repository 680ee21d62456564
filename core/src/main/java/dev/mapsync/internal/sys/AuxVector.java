package dev.mapsync.internal.sys;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the kernel told this process at its start ({@code /proc/self/auxv}): the page size, read without a downcall
 * ({@code sysconf} is not a system call, and a downcall of its own shape costs milliseconds at start-up).
 */
final class AuxVector {
    private AuxVector() {}

    private static final long AT_NULL = 0, AT_PAGESZ = 6;

    /** {@code AT_PAGESZ}. */
    static long pageSize() {
        try {
            ByteBuffer auxv = ByteBuffer.wrap(Files.readAllBytes(Path.of("/proc/self/auxv"))).order(ByteOrder.nativeOrder());
            while (auxv.remaining() >= 16) {
                long type = auxv.getLong(), value = auxv.getLong();
                if (type == AT_PAGESZ) return value;
                if (type == AT_NULL) break;
            }
            throw new IllegalStateException("/proc/self/auxv has no page size (AT_PAGESZ)");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the page size from /proc/self/auxv: " + e.getMessage(), e);
        }
    }
}
