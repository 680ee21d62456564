package dev.mapsync.cli.doctor;

import dev.mapsync.internal.store.Bpffs;
import dev.mapsync.internal.sys.LibC;
import dev.mapsync.internal.sys.SyscallException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * What this process is allowed, and what the file systems mapsync uses look like: capabilities, the
 * unprivileged-bpf sysctl, bpffs and its pin folder, and the folder of map files and sidecars. Nothing is
 * changed: bpffs is not mounted and no folder is made; the only file made (to prove a folder writable) is
 * deleted at once.
 */
final class SystemProbes {
    private SystemProbes() {}

    static final Path UNPRIVILEGED_BPF_SYSCTL = Path.of("/proc/sys/kernel/unprivileged_bpf_disabled");

    private static final String OPEN_NEEDS_NO_CAPABILITY = "opening a pinned map needs only the pin's file mode";

    static Check capBpf(Capabilities caps) {
        String name = "CAP_BPF";
        if (caps.has(Capabilities.BPF)) {
            return Check.ok(name, true, "this process has it (CapEff " + caps.hex() + "): it may create BPF maps, load"
                    + " BTF and programs");
        }
        if (caps.has(Capabilities.SYS_ADMIN)) {
            return Check.ok(name, true, "this process lacks it, but has CAP_SYS_ADMIN, which the kernel accepts instead");
        }
        return Check.missing(name, true, "this process lacks it (CapEff " + caps.hex() + "), so it cannot create bpf"
                + " maps; " + OPEN_NEEDS_NO_CAPABILITY, "run as root, or grant CAP_BPF: setcap cap_bpf+ep on the java"
                + " binary, AmbientCapabilities=CAP_BPF in a systemd unit, docker run --cap-add BPF");
    }

    static Check capSysAdmin(Capabilities caps) {
        String name = "CAP_SYS_ADMIN";
        String needs = "only mounting bpffs and reading the BTF of a map pinned by another program (to learn its"
                + " schema) need it";
        if (caps.has(Capabilities.SYS_ADMIN)) return Check.ok(name, false, "this process has it (" + needs + ")");
        return Check.missing(name, false, "this process lacks it; " + needs,
                "mount bpffs once as root; give foreign maps their schema: MapSpec.pinned(pin, codec)");
    }

    /**
     * @param value the sysctl's text, or null when it could not be read
     * @param error why it could not be read
     */
    static Check unprivilegedBpf(String value, String error) {
        String name = "unprivileged bpf";
        if (value == null) {
            return Check.missing(name, false, "cannot read " + UNPRIVILEGED_BPF_SYSCTL + ": " + error,
                    "mount /proc; mapsync works without knowing it");
        }
        String v = value.strip();
        String meaning = switch (v) {
            case "0" -> "processes without CAP_BPF may make some BPF maps, but not load BTF, which every map mapsync makes"
                    + " carries: creating them needs CAP_BPF anyway";
            case "1" -> "processes without CAP_BPF cannot create BPF maps or programs (fixed until reboot)";
            case "2" -> "processes without CAP_BPF cannot create BPF maps or programs (an administrator may change it)";
            default -> "an unknown setting";
        };
        return Check.ok(name, false, "kernel.unprivileged_bpf_disabled = " + v + ": " + meaning + "; "
                + OPEN_NEEDS_NO_CAPABILITY + ", whatever the setting");
    }

    static Check bpffs(Capabilities caps, int euid) {
        String name = "bpffs";
        if (Bpffs.isBpffs(Bpffs.ROOT)) return Check.ok(name, true, "mounted at " + Bpffs.ROOT);
        if (euid == 0 && caps.has(Capabilities.SYS_ADMIN)) {
            return Check.ok(name, true, "not mounted at " + Bpffs.ROOT + "; mapsync mounts it when it creates its first"
                    + " bpf map (this process is root)");
        }
        return Check.missing(name, true, "not mounted at " + Bpffs.ROOT + ", and this process may not mount it, so bpf"
                + " maps cannot be pinned or opened by name", "as root: mount -t bpf bpf " + Bpffs.ROOT
                + " (or the fstab line 'bpf " + Bpffs.ROOT + " bpf defaults 0 0'; in a container, bind-mount the host's: -v "
                + Bpffs.ROOT + ":" + Bpffs.ROOT + ")");
    }

    static Check pinsForOthers() {
        String name = "pins for others";
        if (!Bpffs.isBpffs(Bpffs.ROOT)) {
            return Check.missing(name, false, "no bpffs at " + Bpffs.ROOT + ", so nothing is pinned", "see bpffs");
        }
        int root = mode(Bpffs.ROOT);
        if ((root & 0001) == 0) {
            return Check.missing(name, false, String.format("%s is mode %04o: other users cannot reach any pin in it",
                    Bpffs.ROOT, root), "to let other users open pinned maps (each pin's mode still decides who may):"
                    + " chmod o+x " + Bpffs.ROOT + " (systemd mounts it 0700)");
        }
        if (!Files.exists(Bpffs.MAPSYNC_DIR, LinkOption.NOFOLLOW_LINKS)) {
            return Check.ok(name, false, String.format("%s is mode %04o; %s is not made yet (mapsync makes it mode 1777"
                    + " with its first bpf map)", Bpffs.ROOT, root, Bpffs.MAPSYNC_DIR));
        }
        int pins = mode(Bpffs.MAPSYNC_DIR);
        if ((pins & 01777) != 01777) {
            return Check.missing(name, false, String.format("%s is mode %04o: not every user may reach or make pins in it",
                    Bpffs.MAPSYNC_DIR, pins), "chmod 1777 " + Bpffs.MAPSYNC_DIR + " (like /tmp: every CAP_BPF user may"
                    + " pin there, only a pin's owner may remove it)");
        }
        return Check.ok(name, false, String.format("%s is mode %04o and %s %04o: users without privileges open the pins"
                + " whose mode allows them (mapsync create bpf:NAME --mode 0666)", Bpffs.ROOT, root, Bpffs.MAPSYNC_DIR, pins));
    }

    /** The folder of map files and bpf sidecars: can this process make files in it? */
    static Check mapFolder(Path dir) {
        String name = "map folder";
        String fix = "choose a folder this process may write, on tmpfs: --dir DIR or MAPSYNC_DIR=DIR";
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                return Check.missing(name, true, dir + " is not a directory (or is a symbolic link)", fix);
            }
            int m = mode(dir);
            if ((m & 0002) != 0 && (m & 01000) == 0) {
                return Check.missing(name, true, String.format("%s is mode %04o: anyone may write it and it lacks the"
                        + " sticky bit, so mapsync refuses it", dir, m), "chmod +t " + dir);
            }
            try {
                dev.mapsync.internal.store.Folders.checkTrusted(dir);
            } catch (dev.mapsync.MapAccessDeniedException e) {
                // another user made it (or owns a folder anyone may write): mapsync refuses it, and says how to fix it
                String why = e.getMessage();
                int cut = why.lastIndexOf("; ");
                return cut < 0 ? Check.missing(name, true, why, fix)
                        : Check.missing(name, true, why.substring(0, cut), why.substring(cut + 2));
            }
        }
        Path existing = dir;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) existing = existing.getParent();
        if (existing == null) return Check.missing(name, true, "no part of " + dir + " exists", fix);
        try {
            Files.delete(Files.createTempFile(existing, ".mapsync-doctor-", ""));
        } catch (IOException e) {
            String why = e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.toString();
            return Check.missing(name, true, "cannot make files in " + existing + ": " + why, fix);
        }
        return Check.ok(name, true, existing.equals(dir)
                ? dir + " is writable: shm maps and bpf sidecars live here"
                : dir + " is not made yet; mapsync makes it in " + existing + ", which is writable");
    }

    private static int mode(Path path) {
        try {
            return LibC.lstat(path.toString()).permissions();
        } catch (SyscallException e) {
            return 0;
        }
    }
}
