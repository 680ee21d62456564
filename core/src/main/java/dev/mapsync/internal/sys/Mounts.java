package dev.mapsync.internal.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** Which file system a path is on, and mounting one (the bpf file system, where kernel maps are pinned). */
public final class Mounts {
    private Mounts() {}

    /** {@code mount(source, target, fsType, 0, NULL)}. */
    public static void mount(String source, String target, String fsType) {
        try (Arena arena = Arena.ofConfined()) {
            Native.check(Native.syscall(Arch.SYS_MOUNT, arena.allocateFrom(source).address(),
                    arena.allocateFrom(target).address(), arena.allocateFrom(fsType).address(), 0, 0, 0),
                    "mount(" + fsType + " on " + target + ")");
        }
    }

    /** The magic number of the file system {@code path} is on ({@code statfs(2)} {@code f_type}). */
    public static long fileSystemType(String path) {
        try (Arena arena = Arena.ofConfined()) {
            // struct statfs: f_type is the first field, a long, on x86-64 and aarch64; the struct is 120 bytes
            MemorySegment buf = arena.allocate(128, 8);
            Native.check(Native.syscall(Arch.SYS_STATFS, arena.allocateFrom(path).address(), buf.address(), 0),
                    "statfs(" + path + ")");
            return buf.get(JAVA_LONG, 0);
        }
    }
}
