package dev.mapsync.internal.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** Which file system a path is on, and mounting one (the bpf file system, where kernel maps are pinned). */
public final class Mounts {
    private Mounts() {}

    private static final MethodHandle MOUNT = Native.errnoCall("mount",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle STATFS = Native.errnoCall("statfs",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));

    /** {@code mount(source, target, fsType, 0, NULL)}. */
    public static void mount(String source, String target, String fsType) {
        try (Arena arena = Arena.ofConfined()) {
            int r = (int) MOUNT.invokeExact(Native.capture(), arena.allocateFrom(source), arena.allocateFrom(target),
                    arena.allocateFrom(fsType), 0L, MemorySegment.NULL);
            if (r < 0) throw new SyscallException("mount(" + fsType + " on " + target + ")", Native.errno());
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The magic number of the file system {@code path} is on ({@code statfs(2)} {@code f_type}). */
    public static long fileSystemType(String path) {
        try (Arena arena = Arena.ofConfined()) {
            // struct statfs: f_type is the first field, a long, on x86-64 and aarch64; the struct is 120 bytes
            MemorySegment buf = arena.allocate(128, 8);
            int r = (int) STATFS.invokeExact(Native.capture(), arena.allocateFrom(path), buf);
            if (r < 0) throw new SyscallException("statfs(" + path + ")", Native.errno());
            return buf.get(JAVA_LONG, 0);
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
