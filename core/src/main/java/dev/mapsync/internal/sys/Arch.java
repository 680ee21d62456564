package dev.mapsync.internal.sys;

/**
 * The numbers that differ between CPU architectures, kept in one place so another architecture can be
 * added by filling in one more column.
 */
public final class Arch {
    private Arch() {}

    private static final boolean X86_64 = switch (System.getProperty("os.arch")) {
        case "amd64", "x86_64" -> true;
        case "aarch64" -> false;
        default -> throw new ExceptionInInitializerError(
                "mapsync supports Linux on x86-64 and aarch64, not " + System.getProperty("os.arch"));
    };

    // the system calls of LibC, Pages, Epoll and Mounts: x86-64's numbers, then the generic table aarch64 uses
    static final long SYS_OPENAT = X86_64 ? 257 : 56;
    static final long SYS_CLOSE = X86_64 ? 3 : 57;
    static final long SYS_LSEEK = X86_64 ? 8 : 62;
    static final long SYS_MMAP = X86_64 ? 9 : 222;
    static final long SYS_MUNMAP = X86_64 ? 11 : 215;
    static final long SYS_MADVISE = X86_64 ? 28 : 233;
    static final long SYS_KILL = X86_64 ? 62 : 129;
    static final long SYS_FCNTL = X86_64 ? 72 : 25;
    static final long SYS_FTRUNCATE = X86_64 ? 77 : 46;
    static final long SYS_FCHMOD = X86_64 ? 91 : 52;
    static final long SYS_GETEUID = X86_64 ? 107 : 175;
    static final long SYS_STATFS = X86_64 ? 137 : 43;
    static final long SYS_MOUNT = X86_64 ? 165 : 40;
    static final long SYS_EPOLL_CTL = X86_64 ? 233 : 21;
    static final long SYS_UNLINKAT = X86_64 ? 263 : 35;
    static final long SYS_EPOLL_PWAIT = X86_64 ? 281 : 22;
    static final long SYS_FALLOCATE = X86_64 ? 285 : 47;
    static final long SYS_EPOLL_CREATE1 = X86_64 ? 291 : 20;
    static final long SYS_STATX = X86_64 ? 332 : 291;
    static final long SYS_PPOLL = X86_64 ? 271 : 73;

    /** {@code __NR_bpf}. */
    public static final long SYS_BPF = X86_64 ? 321 : 280;
    /** {@code __NR_futex}. */
    public static final long SYS_FUTEX = X86_64 ? 202 : 98;
    /** {@code __NR_membarrier}. */
    public static final long SYS_MEMBARRIER = X86_64 ? 324 : 283;
    /** {@code __NR_futex_waitv} (the same number on every architecture). */
    public static final long SYS_FUTEX_WAITV = 449;
    /** {@code __NR_pidfd_open} (the same number on every architecture). */
    public static final long SYS_PIDFD_OPEN = 434;

    /**
     * {@code sizeof(struct epoll_event)}: x86-64 packs it ({@code u32 events} then {@code u64 data} at 4), other
     * architectures align {@code data} to 8.
     */
    public static final long EPOLL_EVENT_SIZE = X86_64 ? 12 : 16;

    /** The page size of the machine; maps start their data region on a page boundary. */
    public static final long PAGE_SIZE = AuxVector.pageSize();

    /** Rounds {@code n} up to a multiple of the page size. */
    public static long pageAlign(long n) {
        return (n + PAGE_SIZE - 1) & -PAGE_SIZE;
    }
}
