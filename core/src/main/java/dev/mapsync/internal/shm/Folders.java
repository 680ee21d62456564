package dev.mapsync.internal.shm;

import dev.mapsync.MapAccessDeniedException;
import dev.mapsync.MapSpec;
import dev.mapsync.MapSyncException;
import dev.mapsync.internal.linux.LibC;
import dev.mapsync.internal.linux.SyscallException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The folders maps live in, and the rule that keeps one user from planting a map in another's place.
 *
 * <p>The default folder {@code /dev/shm/mapsync} is made like {@code /tmp}: world-writable with the sticky bit,
 * so that every user can create maps but only a file's owner can delete or replace it. In such a folder a
 * file owned by another user (other than root) is refused, because anyone could have created it under the name
 * you expect. To share a map between users, use a folder only they can write (say, a group folder with mode
 * 2770) through {@link MapSpec#dir} or {@code MAPSYNC_DIR}: there, files of any owner are opened. A folder
 * that anyone may write without the sticky bit is refused, as are symbolic links.
 */
final class Folders {
    private Folders() {}

    private static final int WORLD_WRITABLE = 0002, STICKY = 01000;

    /** Makes sure {@code dir} exists and is safe to create maps in. */
    static void prepare(Path dir) {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) create(dir);
        LibC.FileStat st;
        try {
            st = LibC.lstat(dir.toString());
        } catch (SyscallException e) {
            throw new MapSyncException("cannot use folder " + dir + ": " + e.getMessage(), e);
        }
        if (!st.isDirectory()) {
            throw new MapAccessDeniedException("refusing folder " + dir + ": it is not a directory (or is a symbolic link)");
        }
        if ((st.permissions() & WORLD_WRITABLE) != 0 && (st.permissions() & STICKY) == 0) {
            throw new MapAccessDeniedException("refusing folder " + dir + ": anyone may write it and it lacks the"
                    + " sticky bit, so anyone could replace its maps (chmod +t " + dir + ")");
        }
    }

    private static void create(Path dir) {
        try {
            if (dir.equals(MapSpec.DEFAULT_DIR)) {
                Files.createDirectories(dir);
                // the shared default: like /tmp, everyone may create, only owners may delete (chmod ignores umask)
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
                setSticky(dir);
            } else {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // another process made it first
        } catch (IOException e) {
            throw new MapAccessDeniedException("cannot create folder " + dir + ": " + e, e);
        }
    }

    private static void setSticky(Path dir) throws IOException {
        try {
            LibC.chmodNoFollow(dir.toString(), 01777);
        } catch (SyscallException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Refuses a file owned by another user (not root) in a folder anyone may write. */
    static void checkOwner(String name, Path file, LibC.FileStat st) {
        int me = LibC.geteuid();
        if (st.uid() == me || st.uid() == 0) return;
        LibC.FileStat folder;
        try {
            folder = LibC.lstat(file.getParent().toString());
        } catch (SyscallException e) {
            return;
        }
        if ((folder.permissions() & WORLD_WRITABLE) != 0) {
            throw new MapAccessDeniedException("refusing map '" + name + "': " + file + " is owned by uid " + st.uid()
                    + ", not by you (uid " + me + ") or root, in " + file.getParent() + ", which anyone may write;"
                    + " share maps between users through a folder only they can write (MAPSYNC_DIR)");
        }
    }
}
