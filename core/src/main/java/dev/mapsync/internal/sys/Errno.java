package dev.mapsync.internal.sys;

import java.util.Map;

/** Names and short descriptions of the errno values mapsync meets. */
public final class Errno {
    private Errno() {}

    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, E2BIG = 7, EBADF = 9,
            EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17, EXDEV = 18,
            ENODEV = 19, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENFILE = 23, EMFILE = 24, ENOSPC = 28,
            EROFS = 30, ERANGE = 34, ENAMETOOLONG = 36, ENOSYS = 38, ELOOP = 40, EOPNOTSUPP = 95,
            ETIMEDOUT = 110, ENOTSUPP = 524;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(EPERM, "EPERM"), Map.entry(ENOENT, "ENOENT"), Map.entry(ESRCH, "ESRCH"),
            Map.entry(EINTR, "EINTR"), Map.entry(EIO, "EIO"), Map.entry(E2BIG, "E2BIG"),
            Map.entry(EBADF, "EBADF"), Map.entry(EAGAIN, "EAGAIN"), Map.entry(ENOMEM, "ENOMEM"),
            Map.entry(EACCES, "EACCES"), Map.entry(EFAULT, "EFAULT"), Map.entry(EBUSY, "EBUSY"),
            Map.entry(EEXIST, "EEXIST"), Map.entry(EXDEV, "EXDEV"), Map.entry(ENODEV, "ENODEV"),
            Map.entry(ENOTDIR, "ENOTDIR"), Map.entry(EISDIR, "EISDIR"), Map.entry(EINVAL, "EINVAL"),
            Map.entry(ENFILE, "ENFILE"), Map.entry(EMFILE, "EMFILE"), Map.entry(ENOSPC, "ENOSPC"),
            Map.entry(EROFS, "EROFS"), Map.entry(ERANGE, "ERANGE"), Map.entry(ENAMETOOLONG, "ENAMETOOLONG"),
            Map.entry(ENOSYS, "ENOSYS"), Map.entry(ELOOP, "ELOOP"), Map.entry(EOPNOTSUPP, "EOPNOTSUPP"),
            Map.entry(ETIMEDOUT, "ETIMEDOUT"),
            // the kernel-internal ENOTSUPP leaks to user space as the raw number
            Map.entry(ENOTSUPP, "ENOTSUPP(524)"));

    private static final Map<Integer, String> TEXT = Map.ofEntries(
            Map.entry(EPERM, "operation not permitted"), Map.entry(ENOENT, "no such file or directory"),
            Map.entry(ESRCH, "no such process"), Map.entry(EACCES, "permission denied"),
            Map.entry(EEXIST, "file exists"), Map.entry(EINVAL, "invalid argument"),
            Map.entry(ENOSPC, "no space left on device"), Map.entry(ENOMEM, "out of memory"),
            Map.entry(ELOOP, "is a symbolic link"), Map.entry(EROFS, "read-only file system"),
            Map.entry(E2BIG, "argument too big"), Map.entry(EBUSY, "busy"),
            Map.entry(ENOTSUPP, "not supported for this object"), Map.entry(EOPNOTSUPP, "operation not supported"),
            Map.entry(ENOSYS, "no such system call in this kernel"), Map.entry(EFAULT, "bad address"));

    /** The symbolic name, such as {@code EACCES}, or {@code errno 77} for a value not in the table. */
    public static String name(int errno) {
        return NAMES.getOrDefault(errno, "errno " + errno);
    }

    /** A short lower-case description, or the empty string. */
    public static String text(int errno) {
        return TEXT.getOrDefault(errno, "");
    }
}
