package dev.mapsync.internal.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

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
    public static final int S_IFMT = 0xF000, S_IFREG = 0x8000, S_IFDIR = 0x4000, S_IFIFO = 0x1000, S_IFSOCK = 0xC000;

    private static boolean isX86() {
        String arch = System.getProperty("os.arch");
        return arch.equals("amd64") || arch.equals("x86_64");
    }

    private static final int AT_FDCWD = -100, AT_EMPTY_PATH = 0x1000, AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int STATX_BASIC_STATS = 0x7ff;

    /** The effective user id of this process. */
    public static int geteuid() {
        return (int) Native.syscall(Arch.SYS_GETEUID, 0, 0, 0);
    }

    /** {@code open(2)}; returns the file descriptor. */
    public static int open(String path, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) Native.check(Native.syscall(Arch.SYS_OPENAT, AT_FDCWD, arena.allocateFrom(path).address(),
                    flags, mode, 0, 0), "open(" + path + ")");
        }
    }

    public static void close(int fd) {
        Native.check(Native.syscall(Arch.SYS_CLOSE, fd, 0, 0), "close");
    }

    public static void ftruncate(int fd, long length) {
        Native.check(Native.syscall(Arch.SYS_FTRUNCATE, fd, length, 0), "ftruncate");
    }

    /** Reserves the file's blocks now, so that a full file system fails here and not as SIGBUS on first touch. */
    public static void fallocate(int fd, long length) {
        Native.check(Native.syscall(Arch.SYS_FALLOCATE, fd, 0, 0, length, 0, 0), "fallocate");
    }

    public static void fchmod(int fd, int mode) {
        Native.check(Native.syscall(Arch.SYS_FCHMOD, fd, mode, 0), "fchmod");
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

    private static final short POLLERR = 0x008, POLLHUP = 0x010;

    /**
     * Whether the other end of the pipe or socket {@code fd} is gone: {@code ppoll(2)} of it for no event, not
     * waiting, reports an error or a hang-up. A pipe that is only full reports neither.
     */
    public static boolean peerGone(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pollfd = arena.allocate(8, 4); // struct pollfd: int fd, short events, short revents
            pollfd.set(JAVA_INT, 0, fd);
            MemorySegment noWait = arena.allocate(16, 8); // a zero struct timespec
            long ready = Native.check(Native.syscall(Arch.SYS_PPOLL, pollfd.address(), 1, noWait.address(), 0, 8, 0),
                    "ppoll");
            return ready > 0 && (pollfd.get(JAVA_SHORT, 6) & (POLLERR | POLLHUP)) != 0;
        }
    }

    /** {@code lstat} through {@code statx}: a symbolic link is described, not followed. */
    public static FileStat lstat(String path) {
        return statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, "stat(" + path + ")");
    }

    private static FileStat statx(int dirfd, String path, int flags, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(256, 8);
            Native.check(Native.syscall(Arch.SYS_STATX, dirfd, arena.allocateFrom(path).address(), flags,
                    STATX_BASIC_STATS, buf.address(), 0), what);
            // struct statx: stx_uid @20, stx_gid @24, stx_mode (u16) @28, stx_ino @32, stx_size @40
            return new FileStat(Short.toUnsignedInt(buf.get(JAVA_SHORT, 28)), buf.get(JAVA_INT, 20),
                    buf.get(JAVA_INT, 24), buf.get(JAVA_LONG, 40), buf.get(JAVA_LONG, 32));
        }
    }

    /**
     * {@code mmap(NULL, length, prot, MAP_SHARED, fd, offset)}; the returned segment has the mapping's length
     * and is unmapped when {@code arena} closes.
     */
    public static MemorySegment mmapShared(int fd, long offset, long length, int prot, Arena arena, String what) {
        long address = Native.check(Native.syscall(Arch.SYS_MMAP, 0, length, prot, MAP_SHARED, fd, offset),
                "mmap(" + what + ")");
        return MemorySegment.ofAddress(address).reinterpret(length, arena, LibC::munmapQuietly);
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
        // reserve the address range first, so that the two halves are sure to land next to each other
        long reserved = Native.check(Native.syscall(Arch.SYS_MMAP, 0, 2 * length, PROT_NONE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0), "mmap(reserve for " + what + ")");
        MemorySegment both = MemorySegment.ofAddress(reserved).reinterpret(2 * length);
        try {
            for (long half = 0; half < 2 * length; half += length) {
                Native.check(Native.syscall(Arch.SYS_MMAP, reserved + half, length, prot, MAP_SHARED | MAP_FIXED,
                        fd, offset), "mmap(" + what + ")");
            }
        } catch (SyscallException e) {
            munmapQuietly(both);
            throw e;
        }
        return both.reinterpret(2 * length, arena, LibC::munmapQuietly);
    }

    private static void munmapQuietly(MemorySegment mapping) {
        Native.syscall(Arch.SYS_MUNMAP, mapping.address(), mapping.byteSize(), 0);
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
            if (Native.syscall(Arch.SYS_FCNTL, fd, cmd, flock.address()) < 0) {
                int errno = Native.errno();
                if (cmd == F_OFD_SETLK && (errno == Errno.EAGAIN || errno == Errno.EACCES)) return false;
                throw new SyscallException("fcntl(OFD lock)", errno);
            }
            return cmd != F_OFD_GETLK || flock.get(JAVA_SHORT, 0) == F_UNLCK;
        }
    }

    /** {@code kill(pid, 0)}: true when the process exists (even if it belongs to another user). */
    public static boolean processExists(int pid) {
        return Native.syscall(Arch.SYS_KILL, pid, 0, 0) == 0 || Native.errno() == Errno.EPERM;
    }

    /** {@code kill(pid, signal)}. */
    public static void kill(int pid, int signal) {
        Native.check(Native.syscall(Arch.SYS_KILL, pid, signal, 0), "kill(" + pid + ")");
    }

    /** {@code unlink(2)}: removes a name (a symbolic link itself, never what it points at). */
    public static void unlink(String path) {
        try (Arena arena = Arena.ofConfined()) {
            Native.check(Native.syscall(Arch.SYS_UNLINKAT, AT_FDCWD, arena.allocateFrom(path).address(), 0),
                    "unlink(" + path + ")");
        }
    }
}
