package dev.mapsync.internal.store;

import dev.mapsync.MapAccessDeniedException;
import dev.mapsync.MapNotFoundException;
import dev.mapsync.MapSyncException;
import dev.mapsync.internal.sys.Errno;
import dev.mapsync.internal.sys.LibC;
import dev.mapsync.internal.sys.Mounts;
import dev.mapsync.internal.sys.SyscallException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The bpf file system (bpffs), the only place kernel objects can be pinned. mapsync pins the maps it creates in
 * {@code /sys/fs/bpf/mapsync/}, made like {@code /tmp} (mode 1777: anyone with CAP_BPF may pin there, only a
 * pin's owner may remove it). When bpffs is not mounted at {@code /sys/fs/bpf}, creating a map mounts it if this
 * process is root, and otherwise says how to.
 *
 * <p>Rules the kernel enforces, checked here first so that the error says why: a pin must be inside a bpffs
 * mount, and no name below the mount may contain a '.'.
 */
public final class Bpffs {
    private Bpffs() {}

    /** Where bpffs is conventionally mounted. */
    public static final Path ROOT = Path.of("/sys/fs/bpf");
    /** The folder of the pins of maps mapsync creates. */
    public static final Path MAPSYNC_DIR = ROOT.resolve("mapsync");
    /** {@code BPF_FS_MAGIC}: statfs's f_type on bpffs. */
    public static final long MAGIC = 0xcafe4a11L;

    private static final String HOW_TO_MOUNT = "mount -t bpf bpf " + ROOT;

    /** True when {@code path} exists and is on a bpf file system. */
    public static boolean isBpffs(Path path) {
        try {
            return Mounts.fileSystemType(path.toString()) == MAGIC;
        } catch (SyscallException e) {
            return false;
        }
    }

    /**
     * Makes sure bpffs is mounted at {@link #ROOT}, mounting it when this process is root.
     *
     * @throws MapAccessDeniedException if it is not mounted and this process may not mount it
     */
    public static void ensureMounted() {
        if (isBpffs(ROOT)) return;
        if (LibC.geteuid() != 0) {
            throw new MapAccessDeniedException("no bpf file system is mounted at " + ROOT
                    + ", so bpf maps cannot be pinned; as root run: " + HOW_TO_MOUNT);
        }
        try {
            Mounts.mount("bpf", ROOT.toString(), "bpf");
        } catch (SyscallException e) {
            // another process may have mounted it meanwhile
            if (!isBpffs(ROOT)) {
                throw new MapAccessDeniedException("cannot mount a bpf file system at " + ROOT + ": "
                        + e.getMessage() + " (" + HOW_TO_MOUNT + ")", e);
            }
        }
    }

    /** Mounts bpffs if needed and makes {@link #MAPSYNC_DIR}; returns it. */
    public static Path mapsyncDir() {
        ensureMounted();
        if (!Files.exists(MAPSYNC_DIR, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectory(MAPSYNC_DIR);
                // like /tmp: every CAP_BPF user may pin here, only a pin's owner may unlink it (chmod ignores umask)
                LibC.chmodNoFollow(MAPSYNC_DIR.toString(), 01777);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // another process made it first
            } catch (IOException | SyscallException e) {
                throw new MapAccessDeniedException("cannot create " + MAPSYNC_DIR + ": " + e.getMessage(), e);
            }
        }
        if (!Files.isDirectory(MAPSYNC_DIR, LinkOption.NOFOLLOW_LINKS)) {
            throw new MapAccessDeniedException("refusing " + MAPSYNC_DIR + ": it is not a directory");
        }
        return MAPSYNC_DIR;
    }

    /** The pin of the map mapsync creates under {@code name}. */
    public static Path defaultPin(String name) {
        return MAPSYNC_DIR.resolve(name);
    }

    /**
     * Checks that {@code pin} can be a pin: its name has no '.', and it is inside a bpf file system.
     *
     * @throws MapNotFoundException     if it is under {@link #ROOT} and no bpffs is mounted there (so nothing is pinned)
     * @throws IllegalArgumentException if it is outside every bpf file system
     */
    public static void checkPinPath(String name, Path pin) {
        Path fileName = pin.getFileName();
        if (fileName == null || fileName.toString().contains(".")) {
            throw new IllegalArgumentException("pin path " + pin + " cannot be a pin: a pin's name cannot contain '.'");
        }
        if (pin.startsWith(ROOT) && !isBpffs(ROOT)) {
            throw new MapNotFoundException("no map '" + name + "' pinned at " + pin + ": no bpf file system is mounted at "
                    + ROOT + " (as root: " + HOW_TO_MOUNT + ")");
        }
        Path probe = pin.getParent();
        while (probe != null && !Files.exists(probe, LinkOption.NOFOLLOW_LINKS)) probe = probe.getParent();
        if (probe == null || !isBpffs(probe)) {
            throw new IllegalArgumentException("pin path " + pin + " is outside every bpf file system (bpffs): "
                    + "pins live in bpffs, such as " + ROOT + " (" + HOW_TO_MOUNT + ")");
        }
    }

    /** True when something exists at {@code pin} (without following a symbolic link). */
    public static boolean exists(Path pin) {
        return Files.exists(pin, LinkOption.NOFOLLOW_LINKS);
    }

    /** Sets the pin's permission bits exactly (the kernel makes pins {@code 0600 & ~umask}). */
    public static void chmod(Path pin, int mode) {
        // chmod(2) through the path: a pin cannot be opened for fchmod (open gives EIO for most pins)
        StringBuilder rwx = new StringBuilder(9);
        for (int bit = 8; bit >= 0; bit--) rwx.append((mode & 1 << bit) != 0 ? "rwx".charAt((8 - bit) % 3) : '-');
        try {
            Files.setPosixFilePermissions(pin, PosixFilePermissions.fromString(rwx.toString()));
        } catch (IOException e) {
            throw new MapSyncException("cannot set the mode of pin " + pin + " to " + Integer.toOctalString(mode) + ": " + e, e);
        }
    }

    /**
     * Removes a pin; the map lives on while a process has it open or mapped. False if there was none.
     *
     * @throws MapAccessDeniedException if this user may not remove it (another user's pin in a sticky folder, say),
     *                                  saying why
     */
    public static boolean unpin(Path pin) {
        try {
            LibC.unlink(pin.toString());
            return true;
        } catch (SyscallException e) {
            if (e.errno() == Errno.ENOENT) return false;
            if (e.errno() == Errno.EPERM || e.errno() == Errno.EACCES) {
                throw new MapAccessDeniedException("cannot remove pin " + pin + ": "
                        + dev.mapsync.internal.store.Folders.whyNotDeletable(pin, e), e);
            }
            throw new MapSyncException("cannot remove pin " + pin + ": " + e.getMessage(), e);
        }
    }

    /** {@link #unpin} for clean-up after a failure, which is the error to report. */
    static void unpinQuietly(Path pin) {
        try {
            Files.deleteIfExists(pin);
        } catch (IOException ignored) {
            // the failure that led here is the one to report
        }
    }
}
