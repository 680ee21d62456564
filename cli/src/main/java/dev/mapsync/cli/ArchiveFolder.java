package dev.mapsync.cli;

import dev.mapsync.MapAccessDeniedException;
import dev.mapsync.internal.sys.LibC;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Where {@code replicate serve} keeps a map's recording unless {@code --archive} says:
 * {@code ${java.io.tmpdir}/mapsync-archive-<user>/<map>}. The leader empties that folder when it starts, so the
 * user's folder above it must be theirs alone: in a temporary folder anyone may make it first, as a link to a folder of
 * the user's that the leader would then empty, or as a folder where another user could plant one.
 */
final class ArchiveFolder {
    private ArchiveFolder() {}

    private static final Set<PosixFilePermission> OTHERS_WRITE = Set.of(PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_WRITE);

    /**
     * The default archive folder of {@code map}, after making sure that the user's folder above it is theirs.
     *
     * @throws MapAccessDeniedException if that folder is a link, not a folder, another user's, or writable by others
     * @throws UncheckedIOException     if it cannot be made or read
     */
    static Path of(String map) {
        Path mine = Path.of(System.getProperty("java.io.tmpdir"), "mapsync-archive-" + System.getProperty("user.name"));
        try {
            Files.createDirectory(mine, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            // made before, by this user or another: checked below
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the archive folder " + mine + " (give one with --archive DIR): "
                    + e.getMessage(), e);
        }
        check(mine);
        return mine.resolve(map);
    }

    private static void check(Path folder) {
        String fix = "; remove it, or give a folder of your own with --archive DIR";
        try {
            if (Files.isSymbolicLink(folder)) {
                throw new MapAccessDeniedException("refusing archive folder " + folder + ": it is a symbolic link" + fix);
            }
            if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
                throw new MapAccessDeniedException("refusing archive folder " + folder + ": it is not a folder" + fix);
            }
            int owner = (Integer) Files.getAttribute(folder, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            int me = LibC.geteuid();
            if (owner != me) {
                throw new MapAccessDeniedException("refusing archive folder " + folder + ": it is owned by uid " + owner
                        + ", not by you (uid " + me + ")" + fix);
            }
            var mode = Files.getPosixFilePermissions(folder, LinkOption.NOFOLLOW_LINKS);
            if (mode.stream().anyMatch(OTHERS_WRITE::contains)) {
                throw new MapAccessDeniedException("refusing archive folder " + folder + ": others may write it ("
                        + PosixFilePermissions.toString(mode) + ")" + fix);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the archive folder " + folder + ": " + e.getMessage(), e);
        }
    }
}
