package dev.mapsync.internal.store;

import dev.mapsync.CorruptMapException;
import dev.mapsync.MapAccessDeniedException;
import dev.mapsync.MapExistsException;
import dev.mapsync.MapNotFoundException;
import dev.mapsync.MapSyncException;
import dev.mapsync.internal.sys.Errno;
import dev.mapsync.internal.sys.LibC;
import dev.mapsync.internal.sys.Pages;
import dev.mapsync.internal.sys.Proc;
import dev.mapsync.internal.sys.SyscallException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;

/**
 * A map file in shared memory: created with {@code O_EXCL} and exact permission bits, opened without following
 * symbolic links, in a folder that may be trusted ({@link Folders}), checked to be a regular, complete, consistent
 * mapsync file before it is used. Beside it is its {@link LivenessFile liveness file}, which the handles' locks are
 * taken on.
 *
 * <p>Creation order: create the file, reserve its blocks, write the header, create the liveness file, then publish
 * the ready word with release semantics. An opener waits (up to a deadline) until it sees the ready word, then opens
 * the liveness file.
 */
public final class ShmMapFile {
    private ShmMapFile() {}

    /**
     * Creates the file and maps it read-write.
     *
     * @param dataOf the data region given the mapping of the file (the file's own tail for shm maps); it runs after
     *               the header is written and before it is published, so it may fill the header's backend area
     * @throws MapExistsException if the file exists
     */
    public static MapRegion create(String name, Path file, Header header, int mode,
                                   Function<MemorySegment, MemorySegment> dataOf, Runnable onClose) {
        return create(name, file, header, mode, (mapping, fd, arena) -> dataOf.apply(mapping), onClose);
    }

    /**
     * Maps a map's data region, given the mapping of the file, its descriptor and the arena that unmaps everything
     * when the map is closed (so that a ring can map its data region twice in a row).
     */
    @FunctionalInterface
    public interface DataMapper {
        MemorySegment map(MemorySegment mapping, int fd, Arena arena);
    }

    /** {@link #create(String, Path, Header, int, Function, Runnable)} with a {@link DataMapper}. */
    public static MapRegion create(String name, Path file, Header header, int mode, DataMapper dataOf, Runnable onClose) {
        Folders.prepare(file.getParent());
        int fd = translate(name, file, () -> LibC.open(file.toString(),
                LibC.O_RDWR | LibC.O_CREAT | LibC.O_EXCL | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0600));
        Arena arena = Arena.ofShared();
        int lockFd = -1;
        try {
            translate(name, file, () -> {
                LibC.fchmod(fd, mode);
                LibC.fallocate(fd, header.fileLength());
                return null;
            });
            MemorySegment mapping = translate(name, file, () -> LibC.mmapShared(fd, 0, header.fileLength(),
                    LibC.PROT_READ | LibC.PROT_WRITE, arena, file.toString()));
            header.write(mapping);
            MemorySegment data = translate(name, file, () -> dataOf.map(mapping, fd, arena));
            // before publishing: an opener of a ready map finds its liveness file
            lockFd = LivenessFile.create(name, file, mode);
            Header.publishReady(mapping);
            return new MapRegion(name, file, header, arena, mapping, data, false, fd, lockFd, onClose);
        } catch (RuntimeException | Error e) {
            arena.close();
            if (lockFd >= 0) {
                LivenessFile.deleteIfSame(file, LibC.fstat(lockFd));
                LibC.close(lockFd);
            }
            deleteQuietly(file);
            LibC.close(fd);
            throw e;
        }
    }

    /**
     * Opens and maps an existing file after checking it.
     *
     * @throws MapNotFoundException     if there is no such file
     * @throws CorruptMapException      if it is not a complete mapsync map of a version this library reads
     * @throws MapAccessDeniedException if permissions refuse it or its liveness file (a read-write handle needs that
     *                                  file read-write), it or its folder is a symbolic link, it is not a regular
     *                                  file, or the folder or the file is one another user could have planted
     *                                  ({@link Folders})
     */
    public static MapRegion open(String name, Path file, boolean readOnly, Duration timeout, Geometries geometries,
                                 Function<MemorySegment, MemorySegment> dataOf, Runnable onClose) {
        return open(name, file, readOnly, timeout, geometries, (mapping, fd, arena) -> dataOf.apply(mapping), onClose);
    }

    /** {@link #open(String, Path, boolean, Duration, Geometries, Function, Runnable)} with a {@link DataMapper}. */
    public static MapRegion open(String name, Path file, boolean readOnly, Duration timeout, Geometries geometries,
                                 DataMapper dataOf, Runnable onClose) {
        int fd = openChecked(name, file, readOnly, true);
        Arena arena = Arena.ofShared();
        int lockFd = -1;
        try {
            Header header = awaitReady(name, file, fd, timeout, geometries);
            lockFd = readOnly ? LivenessFile.openForReader(name, file)
                    : LivenessFile.openForWriter(name, file, LibC.fstat(fd).permissions() & 0777);
            int prot = readOnly ? LibC.PROT_READ : LibC.PROT_READ | LibC.PROT_WRITE;
            MemorySegment mapping = translate(name, file, () -> {
                MemorySegment m = LibC.mmapShared(fd, 0, header.fileLength(), prot, arena, file.toString());
                try {
                    Pages.backAll(fd, m, header.fileLength(), !readOnly); // no page of it may fault later
                } catch (SyscallException e) {
                    // pages past the end of a file that shrank since its header was checked cannot be backed either
                    long now = LibC.fstat(fd).size();
                    if (now < header.fileLength()) throw truncated(name, now, header.fileLength());
                    throw e;
                }
                return m;
            });
            MemorySegment head = readOnly ? mapping.asReadOnly() : mapping;
            MemorySegment data = translate(name, file, () -> dataOf.map(head, fd, arena));
            return new MapRegion(name, file, header, arena, head, data, readOnly, fd, lockFd, onClose);
        } catch (RuntimeException | Error e) {
            arena.close();
            if (lockFd >= 0) LibC.close(lockFd);
            LibC.close(fd);
            throw e;
        }
    }

    private static CorruptMapException truncated(String name, long size, long needs) {
        return new CorruptMapException("map '" + name + "' is truncated: the file has " + size + " bytes, its header"
                + " needs " + needs);
    }

    /**
     * Reads the header of an existing map without keeping it open (to describe it; whoever owns it), checked by the
     * rules of {@code geometries}.
     */
    public static Header readHeader(String name, Path file, Duration timeout, Geometries geometries) {
        int fd = openChecked(name, file, true, false);
        try {
            return awaitReady(name, file, fd, timeout, geometries);
        } finally {
            LibC.close(fd);
        }
    }

    /** The data region of an shm map: the tail of its own file. */
    public static MemorySegment inlineData(MemorySegment mapping) {
        Header h = Header.read(mapping);
        return mapping.asSlice(h.dataOffset(), h.dataLength());
    }

    /**
     * Removes the file, then its liveness file.
     *
     * @throws MapNotFoundException     if there is no such file
     * @throws MapAccessDeniedException if this user may not remove it, saying why (the folder's owner and mode, or
     *                                  the file's owner: {@link Folders#checkDeletable})
     */
    public static void delete(String name, Path file) {
        Folders.checkDeletable(name, file);
        LibC.FileStat live = LivenessFile.stat(file);
        try {
            LibC.unlink(file.toString());
        } catch (SyscallException e) {
            if (e.errno() == Errno.ENOENT) throw new MapNotFoundException("no map '" + name + "' (no file " + file + ")", e);
            if (e.errno() == Errno.EPERM || e.errno() == Errno.EACCES) {
                throw new MapAccessDeniedException("cannot delete map '" + name + "': " + Folders.whyNotDeletable(file, e), e);
            }
            throw new MapSyncException("cannot delete map '" + name + "': " + e.getMessage(), e);
        }
        LivenessFile.deleteIfSame(file, live);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // the creation failed already; that error is the one to report
        }
    }

    private static int openChecked(String name, Path file, boolean readOnly, boolean checkOwner) {
        Folders.checkTrusted(file.getParent());
        int flags = (readOnly ? LibC.O_RDONLY : LibC.O_RDWR) | LibC.O_NOFOLLOW | LibC.O_CLOEXEC | LibC.O_NONBLOCK;
        int fd = translate(name, file, () -> LibC.open(file.toString(), flags, 0));
        try {
            LibC.FileStat st = LibC.fstat(fd);
            if (!st.isRegularFile()) {
                throw new MapAccessDeniedException("refusing map '" + name + "': " + file + " is not a regular file");
            }
            if (checkOwner) Folders.checkOwner(name, file, st);
            return fd;
        } catch (RuntimeException e) {
            LibC.close(fd);
            throw e;
        }
    }

    /**
     * How long an opener waits for an unfinished map before it asks whether its creator still lives: by then a
     * creator that lives has written every header field it writes before the ready word.
     */
    private static final long CREATOR_CHECK_NANOS = 30_000_000;

    private static Header awaitReady(String name, Path file, int fd, Duration timeout, Geometries geometries) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long pause = 1;
        while (true) {
            long size = LibC.fstat(fd).size();
            if (size > 0 && size < Header.SIZE) {
                throw new CorruptMapException("map '" + name + "' is truncated: the file has " + size
                        + " bytes, fewer than a header (" + Header.SIZE + ")");
            }
            if (size >= Header.SIZE) {
                Header ready = readIfReady(name, fd, size, geometries);
                if (ready != null) return ready;
            }
            long now = System.nanoTime();
            if (now - deadline > 0) throw notFinished(name, file, fd, size, timeout);
            // a creator that died will never finish it: no need to wait out the timeout for that
            if (size >= Header.SIZE && now - start > CREATOR_CHECK_NANOS) {
                String gone = creatorGone(fd, name);
                if (gone != null) throw new CorruptMapException("map '" + name + "' was never finished: " + gone
                        + "; delete it (mapsync rm " + name + ")");
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MapSyncException("interrupted while waiting for map '" + name + "' to be ready", e);
            }
            pause = Math.min(pause * 2, 20);
        }
    }

    /** The header once the map is ready, or null while its creator is still writing it. */
    private static Header readIfReady(String name, int fd, long size, Geometries geometries) {
        try (Arena arena = Arena.ofConfined()) {
            return readIfReady(name, fd, size, geometries, arena);
        } catch (InternalError e) {
            // the header page faulted: a hole the file system has no room to back, or the file shrank meanwhile
            throw new CorruptMapException("map '" + name + "' cannot be read: its header page has no memory behind it"
                    + " (the file was truncated, or has a hole on a full file system)");
        }
    }

    private static Header readIfReady(String name, int fd, long size, Geometries geometries, Arena arena) {
        MemorySegment page = LibC.mmapShared(fd, 0, Header.SIZE, LibC.PROT_READ, arena, "header of " + name);
        // the ready word first (acquire): once it says ready, every field its creator wrote before it is visible
        int readyWord = Header.readyAcquire(page);
        long magic = Header.magic(page);
        if (magic != 0 && magic != Header.MAGIC) {
            throw new CorruptMapException("'" + name + "' is not a mapsync map (its first bytes are "
                    + String.format("%016x", Long.reverseBytes(magic)) + ", not \"MAPSYNC\\0\")");
        }
        if (readyWord != 0 && readyWord != Header.READY) {
            throw new CorruptMapException("map '" + name + "' is corrupt: its ready word is "
                    + Integer.toUnsignedString(readyWord) + ", not 0 (being made) or 1 (ready)");
        }
        if (magic == 0) {
            // the creator writes the magic first and the ready word last: a ready map has its magic
            if (readyWord == Header.READY) {
                throw new CorruptMapException("map '" + name + "' is corrupt: it is marked ready, but its first bytes are"
                        + " zero, not \"MAPSYNC\\0\"");
            }
            return null;
        }
        int version = Header.version(page);
        if (version > Header.VERSION) {
            throw new CorruptMapException("map '" + name + "' has layout version " + version
                    + ", newer than this mapsync reads (" + Header.VERSION + "); upgrade mapsync to open it");
        }
        if (readyWord != Header.READY) return null;
        if (version < 1) throw new CorruptMapException("map '" + name + "' has layout version " + version);
        if (version < Header.VERSION) {
            throw new dev.mapsync.IncompatibleMapException("map '" + name + "' has layout version " + version
                    + ", made by an older mapsync that kept its liveness locks in the map file itself, where any"
                    + " reader could block them; this mapsync reads layout version " + Header.VERSION
                    + ": recreate the map (mapsync rm " + name + ", then create it again)", "layout version");
        }
        Header header;
        try {
            header = Header.read(page);
        } catch (IllegalStateException e) {
            throw new CorruptMapException("map '" + name + "' is corrupt: " + e.getMessage());
        }
        header.checkConsistent(name, size, geometries);
        return header;
    }

    /**
     * Why the creator of an unfinished map will not finish it, or null while it may: the header names it (pid, start
     * time, pid namespace: written before the ready word), it is in this pid namespace, and no process with that pid
     * and start time runs. (One in another namespace cannot be asked: the opener waits for it.)
     */
    private static String creatorGone(int fd, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment page = LibC.mmapShared(fd, 0, Header.SIZE, LibC.PROT_READ, arena, "header of " + name);
            if (Header.magic(page) != Header.MAGIC) return null;
            int pid = page.get(dev.mapsync.internal.sys.Layouts.INT, Header.CREATOR_PID_OFFSET);
            long start = page.get(dev.mapsync.internal.sys.Layouts.LONG, Header.CREATOR_START_OFFSET);
            long namespace = page.get(dev.mapsync.internal.sys.Layouts.LONG, Header.CREATOR_PIDNS_OFFSET);
            if (pid <= 0 || namespace != Proc.PID_NAMESPACE || Proc.isAlive(pid, start)) return null;
            return "its creator (pid " + pid + ") is no longer running";
        } catch (InternalError e) {
            return null; // the page faulted: the next look reports it
        }
    }

    private static CorruptMapException notFinished(String name, Path file, int fd, long size, Duration timeout) {
        if (size == 0) {
            return new CorruptMapException("map '" + name + "' is empty: " + file + " has 0 bytes after waiting "
                    + timeout.toMillis() + " ms for its creator; delete it (mapsync rm " + name + ")");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment page = LibC.mmapShared(fd, 0, Header.SIZE, LibC.PROT_READ, arena, "header of " + name);
            int pid = page.get(dev.mapsync.internal.sys.Layouts.INT, Header.CREATOR_PID_OFFSET);
            long start = page.get(dev.mapsync.internal.sys.Layouts.LONG, Header.CREATOR_START_OFFSET);
            String creator = pid == 0 ? "its creator"
                    : "its creator (pid " + pid + ", " + (Proc.isAlive(pid, start) ? "still running" : "no longer running") + ")";
            return new CorruptMapException("map '" + name + "' was not finished by " + creator + " within "
                    + timeout.toMillis() + " ms; if the creator died, delete it (mapsync rm " + name + ")");
        }
    }

    /** Runs a system call, turning its failure into the public exception that fits. */
    static <T> T translate(String name, Path file, java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (SyscallException e) {
            throw Failures.of(name, file, e);
        }
    }
}
