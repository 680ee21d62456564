package dev.mapsync.internal.sys;

import java.lang.foreign.MemorySegment;

/** System calls that glibc does not wrap, made through {@code syscall(2)}. */
public final class Syscall {
    private Syscall() {}

    /**
     * {@code bpf(cmd, attr, size)}. Returns the kernel's result (a file descriptor for the commands that make one,
     * else 0), or minus the errno on failure, so that the caller can name the command in its exception and a
     * failed lookup costs no allocation. Never throws for a failed call.
     */
    public static long bpf(int cmd, MemorySegment attr, int size) {
        long r = Native.syscall(Arch.SYS_BPF, cmd, attr.address(), size);
        return r < 0 ? -Native.errno() : r;
    }
}
