package dev.mapsync.cli;

import dev.mapsync.internal.btf.BtfReader;
import dev.mapsync.internal.store.BpfArrays;
import dev.mapsync.internal.store.Bpffs;
import dev.mapsync.internal.store.KernelMap;
import dev.mapsync.internal.sys.KernelMapInfo;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * Kernel maps pinned in a bpf file system, as the command line meets them: whether a path is a pin, what the map
 * pinned there is (read with {@code BPF_OBJ_GET_INFO_BY_FD}), and how mapsync reaches its values.
 */
final class KernelPins {
    private KernelPins() {}

    /** The map types the commands open, beside those they refuse. */
    private static final List<Integer> OPENED = List.of(KernelMapInfo.TYPE_ARRAY, KernelMapInfo.TYPE_HASH,
            KernelMapInfo.TYPE_LRU_HASH, KernelMapInfo.TYPE_RINGBUF, KernelMapInfo.TYPE_PERCPU_ARRAY,
            KernelMapInfo.TYPE_PERCPU_HASH, KernelMapInfo.TYPE_LRU_PERCPU_HASH, KernelMapInfo.TYPE_USER_RINGBUF);

    /**
     * True when {@code path} is in a bpf file system (statfs says {@code BPF_FS_MAGIC}), judged by the path itself or,
     * when nothing is there, by the nearest folder above it that exists: a missing pin is still a pin path.
     */
    static boolean isPinPath(Path path) {
        Path probe = path.toAbsolutePath().normalize();
        while (probe != null && !Files.exists(probe, LinkOption.NOFOLLOW_LINKS)) probe = probe.getParent();
        return probe != null && Bpffs.isBpffs(probe);
    }

    /**
     * What the kernel says of the map pinned at {@code pin} (opened read-only, then closed).
     *
     * @throws dev.mapsync.MapNotFoundException     if nothing is pinned there
     * @throws dev.mapsync.IncompatibleMapException if a program or a link is pinned there
     */
    static KernelMapInfo describe(Path pin) {
        if (Files.isDirectory(pin, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException(pin + " is a folder in a bpf file system, not a pin; mapsync list --kernel"
                    + " --dir " + pin + " lists the maps pinned in it");
        }
        String name = pin.getFileName() == null ? pin.toString() : pin.getFileName().toString();
        try (KernelMap map = BpfArrays.openPin(name, pin, true)) {
            return map.info();
        } catch (dev.mapsync.IncompatibleMapException e) {
            if (!"object type".equals(e.field())) throw e;
            throw new dev.mapsync.IncompatibleMapException(pin + " holds a BPF program or link, not a map; mapsync opens"
                    + " maps (list --kernel shows them)", "object type");
        }
    }

    /**
     * Removes the pin of a map another program pinned (the map lives on while programs or descriptors hold it).
     *
     * @throws dev.mapsync.MapNotFoundException      if nothing is pinned there
     * @throws dev.mapsync.IncompatibleMapException  if a program or a link is pinned there: rm removes maps
     * @throws dev.mapsync.MapAccessDeniedException if this user may not remove it
     */
    static void unpin(Path pin) {
        describe(pin);
        Bpffs.unpin(pin);
    }

    /** True for the map types the commands open: array, hash, lru_hash, their per-CPU variants, and the rings. */
    static boolean opens(KernelMapInfo info) {
        return OPENED.contains(info.type());
    }

    /** True when the map has BTF for its values (and, for a hash map, its keys), so no --key or --value is needed. */
    static boolean hasSchema(KernelMapInfo info) {
        if (info.isRingBuf() || info.isUserRingBuf()) return true;
        return info.hasBtf() && info.btfValueTypeId() != 0 && (!info.isHash() || info.btfKeyTypeId() != 0);
    }

    /**
     * How mapsync reaches the values: {@code mmap} (an mmapable array without a bpf_spin_lock, or a ring buffer's
     * pages), {@code syscall} (every other array and hash map: {@code bpf(2)} per access), or {@code no} for map
     * types the commands do not open.
     */
    static String access(KernelMapInfo info) {
        if (!opens(info)) return "no";
        if (info.isRingBuf() || info.isUserRingBuf()) return "mmap";
        return info.mmapable() && !hasSpinLock(info) ? "mmap" : "syscall";
    }

    /** What {@code list --kernel} says of how a map opens: the access, and the options a map without BTF needs. */
    static String opensWith(KernelMapInfo info) {
        String access = access(info);
        if (access.equals("no") || hasSchema(info)) return access;
        return access + (info.isHash() ? ", --key --value" : ", --value");
    }

    // a value with a bpf_spin_lock cannot be mapped (mmap gives ENOTSUPP): its values are copied by bpf(2)
    private static boolean hasSpinLock(KernelMapInfo info) {
        if (!info.hasBtf() || info.btfValueTypeId() == 0) return false;
        try {
            return BtfReader.ofKernel(info.btfId()).spinLockOffset(info.btfValueTypeId()) >= 0;
        } catch (RuntimeException e) {
            return false; // unreadable BTF: the open that follows says why
        }
    }

    /** The map's flags by their kernel names ({@code BPF_F_MMAPABLE} as mmapable), or {@code -} for none. */
    static String flagsText(int flags) {
        String[] names = {"no_prealloc", "no_common_lru", "numa_node", "rdonly", "wronly", "stack_build_id", "zero_seed",
                "rdonly_prog", "wronly_prog", "clone", "mmapable", "preserve_elems", "inner_map", "link", "path_fd",
                "vtype_btf_obj_fd", "token_fd", "segv_on_fault", "no_user_conv"};
        StringJoiner j = new StringJoiner(",");
        for (int bit = 0; bit < 32; bit++) {
            if ((flags & 1 << bit) == 0) continue;
            j.add(bit < names.length ? names[bit] : "0x" + Integer.toHexString(1 << bit));
        }
        return j.length() == 0 ? "-" : j.toString();
    }

    /** A pinned map and what the kernel says of it. */
    record Pinned(Path pin, KernelMapInfo info) {}

    /**
     * The maps pinned under {@code dir}, recursively, by path. Pins of programs and links, and pins this user may not
     * open, are left out; a folder that cannot be read is skipped.
     */
    static List<Pinned> list(Path dir) {
        List<Pinned> found = new ArrayList<>();
        walk(dir, found);
        found.sort(java.util.Comparator.comparing(p -> p.pin().toString()));
        return found;
    }

    private static void walk(Path dir, List<Pinned> found) {
        List<Path> children = new ArrayList<>();
        try (var entries = Files.newDirectoryStream(dir)) {
            entries.forEach(children::add);
        } catch (java.io.IOException | RuntimeException e) {
            return; // unreadable: nothing of it is listed
        }
        for (Path child : children) {
            if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                walk(child, found);
            } else if (Files.isRegularFile(child, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    found.add(new Pinned(child, describe(child)));
                } catch (RuntimeException e) {
                    // a program, a link, or a pin this user may not open
                }
            }
        }
    }
}
