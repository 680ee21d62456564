package dev.mapsync.internal.store;

import dev.mapsync.MapAccessDeniedException;
import dev.mapsync.internal.sys.Errno;
import dev.mapsync.internal.sys.LibC;
import dev.mapsync.internal.sys.SyscallException;

import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * A map's liveness file, {@code <map file>.live} (beside the sidecar, for bpf maps): the file that every
 * open-file-description lock of the protocol is taken on, so that a process slot's holder, and a ring's consumer, is
 * known alive exactly while its lock is held.
 *
 * <p>Why a file of its own: an open-file-description lock needs only a descriptor of the file, and a read lock only
 * a read-only one. On the map file itself, anyone who may read the map could take read locks over all of it and make
 * every slot claim and every consumer fail, and no byte of it is out of their reach. The liveness file is
 * read-write for exactly the classes (user, group, other) that may write the map, and nothing for the rest (a 0644
 * map has a 0600 liveness file, 0664 gives 0660, 0666 gives 0666): a process that may only read the map cannot
 * even open it. Map names cannot contain {@code '.'}, so the name never collides with a map's.
 *
 * <p>It is created with the map, before the map is published, with {@code O_EXCL} and {@code O_NOFOLLOW}, its mode
 * set exactly whatever the umask. A writer that finds a map without one makes it the same way (racing writers agree
 * through {@code O_EXCL}); a reader opens it read-only if its mode lets it, and otherwise judges liveness from the
 * slot records. It holds no data: its size stays 0.
 */
final class LivenessFile {
    private LivenessFile() {}

    static final String SUFFIX = ".live";

    /** How long a writer waits for a racing writer, which made the file a moment ago, to set its mode. */
    private static final long MODE_WAIT_NANOS = 200_000_000L;

    /** The liveness file of the map file {@code mapFile}. */
    static Path of(Path mapFile) {
        return mapFile.resolveSibling(mapFile.getFileName() + SUFFIX);
    }

    /** Read-write for exactly the classes that may write a map of mode {@code mapMode}. */
    static int modeFor(int mapMode) {
        int mode = 0;
        if ((mapMode & 0200) != 0) mode |= 0600;
        if ((mapMode & 0020) != 0) mode |= 0060;
        if ((mapMode & 0002) != 0) mode |= 0006;
        return mode;
    }

    /**
     * Makes the liveness file of a map file this process has just created exclusively. A file already there is left
     * from a deleted map of that name, or was planted: the name is ours now, so it is replaced.
     *
     * @return its read-write descriptor
     * @throws MapAccessDeniedException if a file already there may not be replaced, or the folder refuses
     */
    static int create(String name, Path mapFile, int mapMode) {
        Path live = of(mapFile);
        for (int attempt = 0; ; attempt++) {
            try {
                return createExclusive(name, live, mapMode);
            } catch (SyscallException e) {
                if (e.errno() != Errno.EEXIST || attempt == 3) throw Failures.of(name, live, e);
            }
            replace(name, live);
        }
    }

    private static void replace(String name, Path live) {
        try {
            LibC.unlink(live.toString());
        } catch (SyscallException e) {
            if (e.errno() == Errno.ENOENT) return;
            if (e.errno() != Errno.EPERM && e.errno() != Errno.EACCES) throw Failures.of(name, live, e);
            throw new MapAccessDeniedException("refusing to create map '" + name + "': " + live + " is already there, owned"
                    + " by uid " + ownerOf(live) + ", and may not be replaced (" + e.getMessage() + "); remove it as root,"
                    + " or set MAPSYNC_DIR / --dir to a folder you own", e);
        }
    }

    /**
     * Opens the liveness file for a read-write handle of a map whose file has mode {@code mapMode}, making it if the
     * map has none.
     *
     * @throws MapAccessDeniedException if it is a symbolic link, not a regular file, owned by another user in a folder
     *                                  others may write, or its mode does not let this writer in
     */
    static int openForWriter(String name, Path mapFile, int mapMode) {
        Path live = of(mapFile);
        long waitedSince = 0;
        while (true) {
            try {
                return checked(name, live, LibC.open(live.toString(),
                        LibC.O_RDWR | LibC.O_NOFOLLOW | LibC.O_CLOEXEC | LibC.O_NONBLOCK, 0));
            } catch (SyscallException e) {
                if (e.errno() == Errno.ENOENT) {
                    try {
                        return checked(name, live, createExclusive(name, live, mapMode));
                    } catch (SyscallException c) {
                        if (c.errno() != Errno.EEXIST) throw Failures.of(name, live, c);
                        continue; // another writer made it first: open theirs
                    }
                }
                if (e.errno() != Errno.EACCES) throw Failures.of(name, live, e);
                // a writer that made it a moment ago sets its mode right after: wait for that, briefly
                if (waitedSince == 0) waitedSince = System.nanoTime();
                if (System.nanoTime() - waitedSince > MODE_WAIT_NANOS) throw modeRefuses(name, live, mapMode, e);
                LockSupport.parkNanos(1_000_000L);
            }
        }
    }

    /**
     * Opens the liveness file read-only for a read-only handle, or returns -1 when its mode keeps this process out
     * (or the map has none): the handle then judges liveness from the slot records.
     *
     * @throws MapAccessDeniedException if it is a symbolic link, not a regular file, or owned by another user in a
     *                                  folder others may write
     */
    static int openForReader(String name, Path mapFile) {
        Path live = of(mapFile);
        int fd;
        try {
            fd = LibC.open(live.toString(), LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC | LibC.O_NONBLOCK, 0);
        } catch (SyscallException e) {
            if (e.errno() == Errno.EACCES || e.errno() == Errno.EPERM || e.errno() == Errno.ENOENT) return -1;
            throw Failures.of(name, live, e);
        }
        return checked(name, live, fd);
    }

    /** Removes the liveness file of a deleted map, if it is the one {@code before} described (the same inode). */
    static void deleteIfSame(Path mapFile, LibC.FileStat before) {
        if (before == null) return;
        Path live = of(mapFile);
        try {
            // a creator of a new map of the name may have replaced it meanwhile: leave a new one alone
            if (LibC.lstat(live.toString()).inode() == before.inode()) LibC.unlink(live.toString());
        } catch (SyscallException e) {
            // gone already, or not ours to remove: a creator replaces a stale one
        }
    }

    /** What the liveness file of {@code mapFile} is now, or null when there is none. */
    static LibC.FileStat stat(Path mapFile) {
        try {
            return LibC.lstat(of(mapFile).toString());
        } catch (SyscallException e) {
            return null;
        }
    }

    private static int createExclusive(String name, Path live, int mapMode) {
        int fd = LibC.open(live.toString(), LibC.O_RDWR | LibC.O_CREAT | LibC.O_EXCL | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0600);
        try {
            LibC.fchmod(fd, modeFor(mapMode)); // exactly, whatever the umask
            return fd;
        } catch (RuntimeException e) {
            LibC.close(fd);
            try {
                LibC.unlink(live.toString());
            } catch (SyscallException ignored) {
                // the failure to report is the first one
            }
            throw e;
        }
    }

    /** {@code fd} once the file behind it passed the checks a map file passes; closed if it did not. */
    private static int checked(String name, Path live, int fd) {
        try {
            LibC.FileStat st = LibC.fstat(fd);
            if (!st.isRegularFile()) {
                throw new MapAccessDeniedException("refusing map '" + name + "': " + live + " is not a regular file");
            }
            Folders.checkOwner(name, live, st);
            return fd;
        } catch (RuntimeException e) {
            LibC.close(fd);
            throw e;
        }
    }

    private static MapAccessDeniedException modeRefuses(String name, Path live, int mapMode, SyscallException e) {
        LibC.FileStat st;
        try {
            st = LibC.lstat(live.toString());
        } catch (SyscallException gone) {
            return new MapAccessDeniedException("permission denied for map '" + name + "': " + e.getMessage(), e);
        }
        return new MapAccessDeniedException(String.format("permission denied for map '%s': its writers lock %s, whose"
                + " mode %04o does not let you write it; it should be %04o for a map of mode %04o (chmod %04o %s, as uid"
                + " %d or root)", name, live, st.permissions(), modeFor(mapMode), mapMode, modeFor(mapMode), live, st.uid()), e);
    }

    private static String ownerOf(Path live) {
        try {
            return Integer.toString(LibC.lstat(live.toString()).uid());
        } catch (SyscallException e) {
            return "unknown";
        }
    }
}
