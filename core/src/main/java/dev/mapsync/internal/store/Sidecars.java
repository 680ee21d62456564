package dev.mapsync.internal.store;

import dev.mapsync.internal.sys.LibC;
import dev.mapsync.internal.sys.SyscallException;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Where the sidecar of a bpf map named without a folder is. Every user has a default folder of their own
 * ({@link Folders#defaultDirOf}), but a kernel map's pin is shared: root makes {@code bpf:hits} with mode 0666, and
 * its sidecar goes to root's default folder, where another user's default folder does not lead. So the caller's own
 * default folder is asked first (a sidecar there is the caller's own, or one the caller adopted), then the default
 * folder of the pin's owner. That folder is trusted only if it is owned by that user or by root, which the open
 * checks like any folder's ({@code Folders}).
 */
public final class Sidecars {
    private Sidecars() {}

    /**
     * The folder of the sidecar of bpf map {@code name}, pinned at {@code pin} (null: the default pin): the caller's
     * default folder, unless the sidecar is only in the default folder of the user who owns the pin.
     */
    public static Path folder(String name, Path pin) {
        Path mine = Folders.defaultDir();
        if (Files.exists(mine.resolve(name), LinkOption.NOFOLLOW_LINKS)) return mine;
        int owner;
        try {
            owner = LibC.lstat((pin != null ? pin : Bpffs.defaultPin(name)).toString()).uid();
        } catch (SyscallException e) {
            return mine; // no pin (yet), or one this process may not see: the caller's folder is the one to report
        }
        if (owner == LibC.geteuid()) return mine;
        Path theirs = Folders.defaultDirOf(owner);
        return Files.exists(theirs.resolve(name), LinkOption.NOFOLLOW_LINKS) ? theirs : mine;
    }
}
