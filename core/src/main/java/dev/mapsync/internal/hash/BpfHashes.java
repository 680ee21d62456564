package dev.mapsync.internal.hash;

import dev.mapsync.internal.store.Blueprint;
import dev.mapsync.internal.store.Geometries;
import dev.mapsync.internal.store.SpecCheck;
import dev.mapsync.internal.btf.BtfReader;
import dev.mapsync.internal.btf.BtfWriter;
import dev.mapsync.internal.store.BpfArrays;
import dev.mapsync.internal.store.Bpffs;
import dev.mapsync.internal.store.KernelMap;
import dev.mapsync.internal.sys.KernelMapInfo;
import dev.mapsync.internal.store.NewPinnedMap;
import dev.mapsync.Backend;
import dev.mapsync.Codec;
import dev.mapsync.IncompatibleMapException;
import dev.mapsync.MapAccessDeniedException;
import dev.mapsync.MapExistsException;
import dev.mapsync.MapType;
import dev.mapsync.Schema;
import dev.mapsync.internal.store.MapRegion;
import dev.mapsync.internal.store.BpfArea;
import dev.mapsync.internal.store.Header;
import dev.mapsync.internal.sys.SyscallException;
import dev.mapsync.internal.store.ShmMapFile;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The bpf backend of hash maps: a kernel {@code BPF_MAP_TYPE_HASH} (or {@code LRU_HASH}) holds the entries, and
 * an shm sidecar (header and control region, no data region) holds the locks that make read-modify-write operations
 * atomic among mapsync processes and the change log. Kernel hash maps cannot be mapped into memory, so every
 * operation is a {@code bpf(2)} call ({@link KernelHashTable}).
 *
 * <p>Making and unmaking follow {@link BpfArrays}: create makes the kernel map, pins it at
 * {@code /sys/fs/bpf/mapsync/<name>}, then publishes the sidecar; a foreign pin is adopted on first open, which
 * reads its geometry (and, for {@code HashSpec.existingPin}, its key and value schemas from BTF) and makes the
 * sidecar. The sidecar's backend area records the kernel map type (1 = hash, 9 = lru_hash) and the access path:
 * {@link BpfArea#ACCESS_SYSCALL}, or {@link BpfArea#ACCESS_SYSCALL_LOCKED} when the values sit behind a
 * {@code struct bpf_spin_lock} and every copy passes {@code BPF_F_LOCK}.
 */
public final class BpfHashes {
    private BpfHashes() {}

    /**
     * Creates the kernel hash map, pins it, and makes its sidecar.
     *
     * @throws MapExistsException       if the pin or the sidecar exists
     * @throws MapAccessDeniedException if the kernel refuses (no CAP_BPF)
     */
    public static MapRegion create(Blueprint spec, Header header) {
        String name = spec.name();
        Schema key = spec.keyCodec().schema(), value = spec.codec().schema();
        return NewPinnedMap.create(name, spec.file(), header, spec.mode(), access(spec.spinLock()),
                () -> KernelMap.createHash(name, key, value, spec.entries(), spec.lru(), spec.spinLock(), spec.perCpu()),
                (map, pin) -> null, MapRegion::withElementIo);
    }

    /**
     * Opens a bpf hash map by its sidecar, or by pin (adopting it the first time), and checks the kernel map against
     * the sidecar and the spec's kernel options. The caller checks the sidecar against the spec.
     */
    public static MapRegion open(Blueprint spec, boolean readOnly) {
        spec.pinPath().ifPresent(pin -> adoptIfNew(spec, pin));
        String name = spec.name();
        Path file = spec.file();
        KernelMap[] opened = new KernelMap[1];
        try {
            MapRegion region = ShmMapFile.open(name, file, readOnly, spec.openTimeout(), Geometries.of(HashKind.INSTANCE), head -> {
                Header header = Header.read(head);
                if (header.backend() != Header.BACKEND_BPF) throw new IncompatibleMapException(name, "backend", "shm", "bpf");
                SpecCheck.checkType(name, header, MapType.HASH);
                BpfArea area = BpfArrays.area(name, file, head);
                if (spec.pinPath().isPresent() && !spec.pinPath().get().equals(area.pin())) {
                    throw new IncompatibleMapException("map '" + name + "': its sidecar " + file + " belongs to the map"
                            + " pinned at " + area.pin() + ", not to " + spec.pinPath().get(), "pin path");
                }
                if (!spec.adoptsExisting()) checkOptions(name, spec, area);
                KernelMap map = opened[0] = BpfArrays.openRecordedPin(name, file, area.pin(), readOnly);
                map.info().checkSidecar(name, file, area.mapType(), header.keySize(), kernelValueSize(header, area),
                        header.entries());
                return null;
            }, () -> opened[0].close());
            return region.withElementIo(opened[0]);
        } catch (RuntimeException | Error e) {
            if (opened[0] != null) opened[0].close();
            throw e;
        }
    }

    /** The header adoption would write for an unadopted pin (nothing is made). */
    public static Header readHeader(Blueprint spec, Path pin, KernelMapInfo info) {
        return adoption(spec, null, pin, info).header();
    }

    /** The table of an opened bpf hash region: its kernel map (the region's element path) through {@code bpf(2)}. */
    public static KernelHashTable table(MapRegion region, dev.mapsync.internal.lock.EntryLocks locks,
                                        dev.mapsync.internal.notify.ChangeLog changes) {
        BpfArea area = BpfArrays.area(region.name(), region.file(), region.head());
        Header h = region.header();
        return new KernelHashTable((KernelMap) region.elementIo(), h.keySize(), Schema.parse(h.valueSchema()),
                spinLocked(area), locks, changes, region.name());
    }

    /** How the sidecar says values are reached: {@code syscall} or {@code syscall, BPF_F_LOCK}. */
    public static String accessName(MapRegion region) {
        return BpfArrays.area(region.name(), region.file(), region.head()).accessName();
    }

    /** True when a sidecar's values sit behind a {@code bpf_spin_lock} and are copied with {@code BPF_F_LOCK}. */
    public static boolean spinLocked(BpfArea area) {
        return area.access() == BpfArea.ACCESS_SYSCALL_LOCKED;
    }

    private static int access(boolean spinLock) {
        return spinLock ? BpfArea.ACCESS_SYSCALL_LOCKED : BpfArea.ACCESS_SYSCALL;
    }

    /** The spec's LRU and spin-lock choices against what the sidecar records. */
    private static void checkOptions(String name, Blueprint spec, BpfArea area) {
        String recorded = KernelMapInfo.typeName(area.mapType());
        String asked = (spec.lru() ? "lru_" : "") + (spec.perCpu() ? "percpu_" : "") + "hash";
        if (!recorded.equals(asked)) throw new IncompatibleMapException(name, "kernel map type", recorded, asked);
        boolean locked = spinLocked(area);
        if (locked != spec.spinLock()) {
            throw new IncompatibleMapException(name, "value spin lock", locked ? "a bpf_spin_lock" : "no lock",
                    spec.spinLock() ? "a bpf_spin_lock" : "no lock");
        }
    }

    /** Makes the sidecar of a hash map pinned at {@code pin} unless it exists. */
    private static void adoptIfNew(Blueprint spec, Path pin) {
        String name = spec.name();
        Bpffs.checkPinPath(name, pin);
        if (Files.exists(spec.file(), LinkOption.NOFOLLOW_LINKS)) return;
        BpfArea.checkFits(name, pin);
        try (KernelMap map = BpfArrays.openPin(name, pin, true)) {
            KernelMapInfo info = map.info();
            Adoption adopted = adoption(spec, spec.adoptsExisting() ? null : spec.spinLock(), pin, info);
            BpfArea area = new BpfArea(info.id(), info.type(), info.flags(), access(adopted.spinLock()), pin);
            MapRegion made = ShmMapFile.create(name, spec.file(), adopted.header(), spec.mode(),
                    head -> {
                        area.write(head);
                        return null;
                    }, () -> {});
            made.close();
        } catch (MapExistsException e) {
            // another process adopted the map first; its sidecar is the one to open
        }
    }

    private record Adoption(Header header, boolean spinLock) {}

    /**
     * The header of an adopted hash map: geometry from the kernel, schemas from the spec or the map's BTF.
     *
     * @param spinLock whether the spec says the values carry a lock; null to take it from the BTF
     */
    private static Adoption adoption(Blueprint spec, Boolean spinLock, Path pin, KernelMapInfo info) {
        String name = spec.name();
        String map = "map '" + name + "' pinned at " + pin;
        if (!info.isHash()) {
            throw new IncompatibleMapException(map + " is a " + info.typeName() + " map; a hash map spec opens"
                    + " BPF_MAP_TYPE_HASH, LRU_HASH, PERCPU_HASH and LRU_PERCPU_HASH maps only", "kernel map type");
        }
        if (!spec.adoptsExisting() && spec.perCpu() != info.isPerCpu()) {
            throw new IncompatibleMapException(name, "kernel map type", info.typeName(),
                    (spec.lru() ? "lru_" : "") + (spec.perCpu() ? "percpu_" : "") + "hash");
        }
        BtfReader btf = info.hasBtf() && info.btfValueTypeId() != 0 ? readBtf(map, info) : null;
        int lockAt = btf == null ? -1 : btf.spinLockOffset(info.btfValueTypeId());
        boolean locked = spinLock != null ? spinLock : lockAt >= 0;
        if (locked && btf == null) {
            throw new IncompatibleMapException(map + " has no BTF, so the kernel knows of no bpf_spin_lock in its values"
                    + " and refuses BPF_F_LOCK; a value lock needs a map created with BTF whose value struct starts with"
                    + " a struct bpf_spin_lock", "value spin lock");
        }
        if (locked && lockAt < 0) {
            throw new IncompatibleMapException(map + ": its values (" + btf.describe(info.btfValueTypeId()) + ") hold no"
                    + " struct bpf_spin_lock, so BPF_F_LOCK cannot be used", "value spin lock");
        }
        if (!locked && lockAt >= 0) {
            throw new IncompatibleMapException(map + ": its values carry a struct bpf_spin_lock; open it with"
                    + " spinLock(true) so that values are copied with BPF_F_LOCK", "value spin lock");
        }
        Schema key, value;
        if (spec.adoptsExisting()) {
            if (btf == null || info.btfKeyTypeId() == 0) {
                throw new IncompatibleMapException(map + " has no BTF, so the layout of its keys and values is unknown;"
                        + " open it with HashSpec.pinned(pin, keyCodec, valueCodec)", "value schema");
            }
            try {
                key = btf.schema(info.btfKeyTypeId());
                value = locked ? btf.schemaBehindSpinLock(info.btfValueTypeId()) : btf.schema(info.btfValueTypeId());
            } catch (IllegalArgumentException e) {
                throw new IncompatibleMapException(map + " has keys or values no schema describes: " + e.getMessage()
                        + "; open it with HashSpec.pinned(pin, keyCodec, valueCodec)", "value schema");
            }
        } else {
            key = spec.keySchema();
            value = spec.valueSchema();
        }
        if (key.size() != info.keySize()) {
            throw new IncompatibleMapException(map + " does not match the spec: key size: the kernel map has "
                    + info.keySize() + ", the spec asks " + key.size() + " (" + key + ")", "key size");
        }
        int kernelValueSize = locked ? BtfWriter.lockedValueSize(value) : value.size();
        if (kernelValueSize != info.valueSize()) {
            throw new IncompatibleMapException(map + " does not match the spec: value size: the kernel map has "
                    + info.valueSize() + ", the spec asks " + kernelValueSize + " (" + value
                    + (locked ? " behind a bpf_spin_lock" : "") + ")", "value size");
        }
        Blueprint adopted = spec.made(MapType.HASH, Codec.of(key), Codec.of(value), info.maxEntries(),
                HashLayout.defaultSegments(info.maxEntries()));
        return new Adoption(HashKind.INSTANCE.newHeader(adopted), locked);
    }

    private static BtfReader readBtf(String map, KernelMapInfo info) {
        try {
            return BtfReader.ofKernel(info.btfId());
        } catch (SyscallException e) {
            throw new MapAccessDeniedException("cannot read the BTF of " + map + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IncompatibleMapException(map + " has BTF this reader does not understand: " + e.getMessage(),
                    "value schema");
        }
    }

    /** The value size of the kernel map: a spin-locked value carries its lock field too. */
    private static int kernelValueSize(Header header, BpfArea area) {
        Schema value = Schema.parse(header.valueSchema());
        return spinLocked(area) ? BtfWriter.lockedValueSize(value) : value.size();
    }
}
