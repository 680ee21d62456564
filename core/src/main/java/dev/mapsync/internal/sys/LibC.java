package dev.mapsync.internal.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The libc calls mapsync makes: files, memory mappings, open-file-description locks and signals.
 * Every method throws {@link SyscallException} with the errno when the call fails.
 */
public final class LibC {
    private LibC() {}

    public static final int O_RDONLY = 0, O_RDWR = 2, O_CREAT = 0x40, O_EXCL = 0x80, O_NONBLOCK = 0x800,
            O_CLOEXEC = 0x80000;
    public static final int O_NOFOLLOW = isX86() ? 0x20000 : 0x8000;
    public static final int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1;
    public static final int S_IFMT = 0xF000, S_IFREG = 0x8000, S_IFDIR = 0x4000;

    private static boolean isX86() {
        String arch = System.getProperty("os.arch");
        return arch.equals("amd64") || arch.equals("x86_64");
    }

    private static final MethodHandle OPEN = Native.errnoCall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = Native.errnoCall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle FTRUNCATE = Native.errnoCall("ftruncate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle FALLOCATE = Native.errnoCall("fallocate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle FCHMOD = Native.errnoCall("fchmod",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle STATX = Native.errnoCall("statx",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle MMAP = Native.errnoCall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = Native.errnoCall("munmap",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle FCNTL_LOCK = Native.errnoCall("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle KILL = Native.errnoCall("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SYSCONF = Native.call("sysconf", FunctionDescriptor.of(JAVA_LONG, JAVA_INT));
    private static final MethodHandle GETEUID = Native.call("geteuid", FunctionDescriptor.of(JAVA_INT));

    private static final int AT_FDCWD = -100, AT_EMPTY_PATH = 0x1000, AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int STATX_BASIC_STATS = 0x7ff;
    private static final int SC_PAGESIZE = 30;

    static long pageSize() {
        try {
            return (long) SYSCONF.invokeExact(SC_PAGESIZE);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The effective user id of this process. */
    public static int geteuid() {
        try {
            return (int) GETEUID.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** {@code open(2)}; returns the file descriptor. */
    public static int open(String path, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(Native.capture(), arena.allocateFrom(path), flags, mode);
            if (fd < 0) throw new SyscallException("open(" + path + ")", Native.errno());
            return fd;
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static void close(int fd) {
        try {
            int r = (int) CLOSE.invokeExact(Native.capture(), fd);
            if (r < 0) throw new SyscallException("close", Native.errno());
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static void ftruncate(int fd, long length) {
        try {
            int r = (int) FTRUNCATE.invokeExact(Native.capture(), fd, length);
            if (r < 0) throw new SyscallException("ftruncate", Native.errno());
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Reserves the file's blocks now, so that a full file system fails here and not as SIGBUS on first touch. */
    public static void fallocate(int fd, long length) {
        try {
            int r = (int) FALLOCATE.invokeExact(Native.capture(), fd, 0, 0L, length);
            if (r < 0) throw new SyscallException("fallocate", Native.errno());
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static void fchmod(int fd, int mode) {
        try {
            int r = (int) FCHMOD.invokeExact(Native.capture(), fd, mode);
            if (r < 0) throw new SyscallException("fchmod", Native.errno());
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Sets the permission bits of {@code path} exactly, sticky and set-id bits included (which
     * {@code Files.setPosixFilePermissions} cannot set), refusing a symbolic link: open with {@code O_NOFOLLOW},
     * then {@code fchmod}.
     */
    public static void chmodNoFollow(String path, int mode) {
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
        try {
            fchmod(fd, mode);
        } finally {
            close(fd);
        }
    }

    /** What {@code statx(2)} says of a file: its type and permission bits, owner and size. */
    public record FileStat(int mode, int uid, int gid, long size, long inode) {
        public boolean isRegularFile() {
            return (mode & S_IFMT) == S_IFREG;
        }

        public boolean isDirectory() {
            return (mode & S_IFMT) == S_IFDIR;
        }

        /** The permission bits, such as {@code 0600}. */
        public int permissions() {
            return mode & 07777;
        }
    }

    /** {@code fstat} through {@code statx(fd, "", AT_EMPTY_PATH)}, whose layout is the same on every architecture. */
    public static FileStat fstat(int fd) {
        return statx(fd, "", AT_EMPTY_PATH, "fstat");
    }

    /** {@code lstat} through {@code statx}: a symbolic link is described, not followed. */
    public static FileStat lstat(String path) {
        return statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, "stat(" + path + ")");
    }

    private static FileStat statx(int dirfd, String path, int flags, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(256, 8);
            int r = (int) STATX.invokeExact(Native.capture(), dirfd, arena.allocateFrom(path), flags,
                    STATX_BASIC_STATS, buf);
            if (r < 0) throw new SyscallException(what, Native.errno());
            // struct statx: stx_uid @20, stx_gid @24, stx_mode (u16) @28, stx_ino @32, stx_size @40
            return new FileStat(Short.toUnsignedInt(buf.get(JAVA_SHORT, 28)), buf.get(JAVA_INT, 20),
                    buf.get(JAVA_INT, 24), buf.get(JAVA_LONG, 40), buf.get(JAVA_LONG, 32));
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * {@code mmap(NULL, length, prot, MAP_SHARED, fd, offset)}; the returned segment has the mapping's length
     * and is unmapped when {@code arena} closes.
     */
    public static MemorySegment mmapShared(int fd, long offset, long length, int prot, Arena arena, String what) {
        MemorySegment address;
        try {
            address = (MemorySegment) MMAP.invokeExact(Native.capture(), MemorySegment.NULL, length, prot,
                    MAP_SHARED, fd, offset);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (address.address() == -1L) throw new SyscallException("mmap(" + what + ")", Native.errno());
        return address.reinterpret(length, arena, LibC::munmapQuietly);
    }

    private static final int PROT_NONE = 0, MAP_PRIVATE = 2, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20, MAP_NORESERVE = 0x4000;

    /**
     * Maps {@code length} bytes at {@code offset} of {@code fd} twice, back to back, as the kernel maps a BPF ring
     * buffer's data pages: byte {@code i} and byte {@code length + i} of the returned segment are the same byte of
     * the file, so a record that runs past the end of the ring reads and writes as one piece. {@code offset} and
     * {@code length} must be multiples of the page size. The segment is {@code 2 * length} long and is unmapped when
     * {@code arena} closes.
     */
    public static MemorySegment mmapTwice(int fd, long offset, long length, int prot, Arena arena, String what) {
        MemorySegment reserved;
        try {
            // reserve the address range first, so that the two halves are sure to land next to each other
            reserved = (MemorySegment) MMAP.invokeExact(Native.capture(), MemorySegment.NULL, 2 * length, PROT_NONE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0L);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (reserved.address() == -1L) throw new SyscallException("mmap(reserve for " + what + ")", Native.errno());
        MemorySegment both = reserved.reinterpret(2 * length);
        try {
            for (long half = 0; half < 2 * length; half += length) {
                MemorySegment at = MemorySegment.ofAddress(both.address() + half);
                MemorySegment got = (MemorySegment) MMAP.invokeExact(Native.capture(), at, length, prot,
                        MAP_SHARED | MAP_FIXED, fd, offset);
                if (got.address() == -1L) throw new SyscallException("mmap(" + what + ")", Native.errno());
            }
        } catch (SyscallException e) {
            munmapQuietly(both);
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        return both.reinterpret(2 * length, arena, LibC::munmapQuietly);
    }

    private static void munmapQuietly(MemorySegment mapping) {
        try {
            int ignored = (int) MUNMAP.invokeExact(Native.capture(), mapping, mapping.byteSize());
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static final int F_OFD_GETLK = 36, F_OFD_SETLK = 37, F_OFD_SETLKW = 38;
    public static final short F_RDLCK = 0, F_WRLCK = 1, F_UNLCK = 2;

    /**
     * An open-file-description lock request on one byte: {@code F_OFD_SETLK} returns false instead of
     * throwing when another description holds a conflicting lock; {@code F_OFD_GETLK} returns true when the
     * byte is free, false when some other description holds a conflicting lock.
     */
    public static boolean ofdLock(int fd, int cmd, short type, long offset) {
        try (Arena arena = Arena.ofConfined()) {
            // struct flock: l_type @0 (short), l_whence @2 (short), l_start @8, l_len @16, l_pid @24
            MemorySegment flock = arena.allocate(32, 8);
            flock.set(JAVA_SHORT, 0, type);
            flock.set(JAVA_LONG, 8, offset);
            flock.set(JAVA_LONG, 16, 1L);
            int r = (int) FCNTL_LOCK.invokeExact(Native.capture(), fd, cmd, flock);
            if (r < 0) {
                int errno = Native.errno();
                if (cmd == F_OFD_SETLK && (errno == Errno.EAGAIN || errno == Errno.EACCES)) return false;
                throw new SyscallException("fcntl(OFD lock)", errno);
            }
            return cmd != F_OFD_GETLK || flock.get(JAVA_SHORT, 0) == F_UNLCK;
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** {@code kill(pid, 0)}: true when the process exists (even if it belongs to another user). */
    public static boolean processExists(int pid) {
        try {
            int r = (int) KILL.invokeExact(Native.capture(), pid, 0);
            return r == 0 || Native.errno() == Errno.EPERM;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** {@code kill(pid, signal)}. */
    public static void kill(int pid, int signal) {
        try {
            int r = (int) KILL.invokeExact(Native.capture(), pid, signal);
            if (r < 0) throw new SyscallException("kill(" + pid + ")", Native.errno());
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static final MethodHandle UNLINK = Native.errnoCall("unlink", FunctionDescriptor.of(JAVA_INT, ADDRESS));

    /** {@code unlink(2)}: removes a name (a symbolic link itself, never what it points at). */
    public static void unlink(String path) {
        try (Arena arena = Arena.ofConfined()) {
            int r = (int) UNLINK.invokeExact(Native.capture(), arena.allocateFrom(path));
            if (r < 0) throw new SyscallException("unlink(" + path + ")", Native.errno());
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
