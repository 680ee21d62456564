package dev.mapsync.internal.store;

import dev.mapsync.MapAccessDeniedException;
import dev.mapsync.MapSyncException;
import dev.mapsync.internal.sys.Errno;
import dev.mapsync.internal.sys.LibC;
import dev.mapsync.internal.sys.SyscallException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.OptionalInt;

/**
 * The folders maps live in, and the rules that keep one user from planting a map, or a whole folder, where another
 * will look for their own.
 *
 * <p>Whoever owns a folder, or may write it without the sticky bit, can delete and replace anything in it; and a
 * file in a folder that others may write could have been made by any of them under the name you expect. So:
 * <ul>
 * <li>A folder is refused if it is a symbolic link or not a directory; if anyone may write it and it lacks the
 *     sticky bit; and if anyone may write it (sticky or not) while it is owned by neither root nor the caller.</li>
 * <li>The default folders ({@link #defaultDirOf}: {@code /dev/shm/mapsync} for root,
 *     {@code /dev/shm/mapsync-<uid>} for others) sit in {@code /dev/shm}, where anyone may make them first: each is
 *     refused unless it is owned by its user, by root or by the caller, whatever its mode. It is made with mode 0755: its user
 *     writes it, others may read the maps whose own mode lets them.</li>
 * <li>In a folder that users other than the caller may write (group- or world-writable), a map file (and its
 *     liveness file) owned by anyone but the caller or root is refused.</li>
 * </ul>
 * To share maps between users, one of them (or root) owns a folder that only they write, and makes the maps there
 * with a mode that lets the others in ({@code --mode 0660} for a group, {@code 0666} for everyone).
 */
public final class Folders {
    private Folders() {}

    private static final int WORLD_WRITABLE = 0002, GROUP_WRITABLE = 0020, STICKY = 01000;
    private static final String FIX = "; remove it as root, or set MAPSYNC_DIR / --dir to a folder you own";

    /**
     * Makes sure {@code dir} exists and may be trusted with new maps.
     *
     * @throws MapAccessDeniedException if the folder is refused ({@link #checkTrusted}) or cannot be made
     */
    static void prepare(Path dir) {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) create(dir);
        if (checkTrusted(dir)) return;
        if (Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new MapAccessDeniedException("cannot make maps in " + dir + ": it is not a folder");
        }
        throw new MapSyncException("cannot use folder " + dir + ": it disappeared while it was made");
    }

    /**
     * Refuses a folder that someone other than the caller or root could have planted or may change maps in.
     *
     * @return false when the folder does not exist, or is not a folder (an open then finds no map; a creation makes
     *         it, or says why it cannot)
     * @throws MapAccessDeniedException naming the folder, its owner, why it is refused and how to fix it
     */
    public static boolean checkTrusted(Path dir) {
        LibC.FileStat st;
        try {
            st = LibC.lstat(dir.toString());
        } catch (SyscallException e) {
            if (e.errno() == Errno.ENOENT) return false;
            throw new MapAccessDeniedException("cannot use folder " + dir + ": " + e.getMessage(), e);
        }
        int me = LibC.geteuid();
        int owner = st.uid();
        if ((st.mode() & LibC.S_IFMT) == S_IFLNK) {
            throw new MapAccessDeniedException("refusing folder " + dir + ": it is a symbolic link (owned by uid " + owner
                    + "), and mapsync never follows links" + FIX);
        }
        // not a folder at all: no map can be in it (an open then finds none, a creation says why it cannot)
        if (!st.isDirectory()) return false;
        int mode = st.permissions();
        if ((mode & WORLD_WRITABLE) != 0 && (mode & STICKY) == 0) {
            throw new MapAccessDeniedException("refusing folder " + dir + " (owned by uid " + owner + "): anyone may write"
                    + " it and it lacks the sticky bit, so anyone could replace its maps; chmod +t " + dir
                    + ", or set MAPSYNC_DIR / --dir to a folder you own");
        }
        OptionalInt defaultOf = defaultFolderUser(dir);
        if (defaultOf.isPresent() && owner != me && owner != defaultOf.getAsInt() && owner != 0) {
            int user = defaultOf.getAsInt();
            String rightful = user == me || user == 0 ? "you (uid " + me + ") or root" : "you (uid " + me + "), uid " + user
                    + " or root";
            throw new MapAccessDeniedException("refusing folder " + dir + ": it is owned by uid " + owner + ", not by "
                    + rightful + ", and it is the default folder of " + (user == 0 ? "root" : "uid " + user)
                    + ", which another user could have made first" + FIX);
        }
        if ((mode & WORLD_WRITABLE) != 0 && owner != me && owner != 0) {
            throw new MapAccessDeniedException("refusing folder " + dir + ": it is owned by uid " + owner + ", not by you"
                    + " (uid " + me + ") or root, and anyone may write it, so its owner may delete or replace any map in it"
                    + FIX);
        }
        return true;
    }

    /** The environment variable that moves the default folder. */
    public static final String DIR_ENV = "MAPSYNC_DIR";
    /** Root's default folder; every other user's is this path followed by {@code -} and the user's id. */
    public static final Path DEFAULT_DIR = Path.of("/dev/shm/mapsync");

    /** {@code $MAPSYNC_DIR} when set, else the default folder of the effective user. */
    public static Path defaultDir() {
        String env = System.getenv(DIR_ENV);
        if (env != null && !env.isBlank()) return Path.of(env).toAbsolutePath().normalize();
        return defaultDirOf(LibC.geteuid());
    }

    /** The default folder of user {@code uid} when {@code MAPSYNC_DIR} is not set. */
    public static Path defaultDirOf(int uid) {
        return uid == 0 ? DEFAULT_DIR : Path.of(DEFAULT_DIR + "-" + Integer.toUnsignedString(uid));
    }

    private static final int S_IFLNK = 0xA000;

    /** The user whose default folder {@code dir} is ({@link #defaultDirOf}), if it is one. */
    static OptionalInt defaultFolderUser(Path dir) {
        Path root = DEFAULT_DIR;
        if (dir.equals(root)) return OptionalInt.of(0);
        String prefix = root.getFileName() + "-";
        String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
        if (!root.getParent().equals(dir.getParent()) || !name.startsWith(prefix)) return OptionalInt.empty();
        try {
            int uid = Integer.parseUnsignedInt(name.substring(prefix.length()));
            return dir.equals(defaultDirOf(uid)) ? OptionalInt.of(uid) : OptionalInt.empty();
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    private static void create(Path dir) {
        try {
            if (defaultFolderUser(dir).isPresent()) {
                Files.createDirectory(dir);
                // its user writes it, others may read the maps whose mode lets them (chmod, because of the umask)
                LibC.chmodNoFollow(dir.toString(), 0755);
            } else {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // another process made it first; whether it may be trusted is checked next
        } catch (IOException | SyscallException e) {
            throw new MapAccessDeniedException("cannot create folder " + dir + ": " + e, e);
        }
    }

    /**
     * Why {@code unlink(2)} of {@code file} failed with {@code EPERM} or {@code EACCES}, in words: the folder's sticky bit
     * keeps another user's file, or the folder is not the caller's to change.
     */
    public static String whyNotDeletable(Path file, SyscallException e) {
        Path folder = file.getParent();
        try {
            LibC.FileStat dir = LibC.lstat(folder.toString());
            if (e.errno() == Errno.EPERM && (dir.permissions() & STICKY) != 0) {
                return file + " is owned by uid " + LibC.lstat(file.toString()).uid() + " and " + folder + " has the sticky"
                        + " bit, so only its owner or root may delete it";
            }
            return "permission denied on " + folder + " (only its owner, uid " + dir.uid() + ", may change what is in it)";
        } catch (SyscallException gone) {
            return e.getMessage();
        }
    }

    /**
     * Refuses to delete another user's map file where the kernel would let the caller: in a folder of someone else
     * that the caller's group (or everyone) may write, without the sticky bit. Root deletes anything; elsewhere the
     * kernel's own refusal says why ({@link #whyNotDeletable}).
     *
     * @throws MapAccessDeniedException naming the file, its owner and the caller
     */
    public static void checkDeletable(String name, Path file) {
        int me = LibC.geteuid();
        if (me == 0) return;
        LibC.FileStat st, folder;
        try {
            st = LibC.lstat(file.toString());
            folder = LibC.lstat(file.getParent().toString());
        } catch (SyscallException e) {
            return; // gone, or not to be seen: the unlink says which
        }
        boolean othersWrite = (folder.permissions() & (WORLD_WRITABLE | GROUP_WRITABLE)) != 0;
        if (st.uid() != me && othersWrite && (folder.permissions() & STICKY) == 0 && folder.uid() != me) {
            throw new MapAccessDeniedException("cannot delete map '" + name + "': " + file + " is owned by uid " + st.uid()
                    + ", not by you (uid " + me + "), and only its owner or root may delete it");
        }
    }

    /**
     * Refuses a map file (or liveness file) owned by another user (not root) in a folder that users other than the
     * caller may write.
     *
     * @throws MapAccessDeniedException naming the file, its owner, why it is refused and how to fix it
     */
    static void checkOwner(String name, Path file, LibC.FileStat st) {
        int me = LibC.geteuid();
        if (st.uid() == me || st.uid() == 0) return;
        LibC.FileStat folder;
        try {
            folder = LibC.lstat(file.getParent().toString());
        } catch (SyscallException e) {
            return;
        }
        if ((folder.permissions() & (WORLD_WRITABLE | GROUP_WRITABLE)) != 0) {
            throw new MapAccessDeniedException("refusing map '" + name + "': " + file + " is owned by uid " + st.uid()
                    + ", not by you (uid " + me + ") or root, in " + file.getParent() + ", which other users may write,"
                    + " so any of them could have planted it" + FIX);
        }
    }
}
