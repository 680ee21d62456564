package dev.mapsync.internal.sys;

import java.lang.foreign.MemorySegment;

/**
 * Whether every page of a file has memory behind it, and making it so. A load or store to a page of a shared mapping
 * that the file system cannot back (a hole in a sparse file on a full file system, or a page past the end of a file
 * that shrank) raises SIGBUS; the JVM turns that into an {@link InternalError} for most accesses, but not for an
 * atomic compare-and-set run by its interpreter, which crashes the process. So a map's pages are backed before it is
 * used: a file with holes (a copy made by {@code cp}, a map made with {@code ftruncate}, a punched hole) is populated
 * at open, and refused with {@code ENOSPC} when the file system has no room for it.
 */
public final class Pages {
    private Pages() {}

    private static final int SEEK_HOLE = 4;
    private static final int MADV_POPULATE_READ = 22, MADV_POPULATE_WRITE = 23;

    /** The offset of the first hole of {@code fd} at or after 0: the file's size when it has none. */
    public static long firstHole(int fd) {
        return Native.check(Native.syscall(Arch.SYS_LSEEK, fd, 0, SEEK_HOLE), "lseek(SEEK_HOLE)");
    }

    /**
     * Backs every page of {@code mapping} (a shared mapping of a file, from its start) with memory, filling the
     * file's holes, unless the first {@code length} bytes of the file have no hole already.
     *
     * @param writable true for a mapping with write access (its pages are populated for writing)
     * @throws SyscallException with {@code ENOSPC} when the file system cannot back a hole
     */
    public static void backAll(int fd, MemorySegment mapping, long length, boolean writable) {
        if (firstHole(fd) >= length) return;
        long r = Native.syscall(Arch.SYS_MADVISE, mapping.address(), mapping.byteSize(),
                writable ? MADV_POPULATE_WRITE : MADV_POPULATE_READ);
        if (r == 0) return;
        int errno = Native.errno();
        // EFAULT: a page would raise SIGBUS, that is, the file system has no room for it
        if (errno == Errno.EFAULT || errno == Errno.ENOMEM) throw new SyscallException("madvise(MADV_POPULATE)", Errno.ENOSPC);
        // EINVAL: a kernel before 5.14, without MADV_POPULATE; a writer can fill the holes another way
        if (errno != Errno.EINVAL || !writable) throw new SyscallException("madvise(MADV_POPULATE)", errno);
        LibC.fallocate(fd, length);
    }
}
