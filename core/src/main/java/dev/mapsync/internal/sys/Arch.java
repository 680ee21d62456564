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
    public static final long PAGE_SIZE = LibC.pageSize();

    /** Rounds {@code n} up to a multiple of the page size. */
    public static long pageAlign(long n) {
        return (n + PAGE_SIZE - 1) & -PAGE_SIZE;
    }
}
