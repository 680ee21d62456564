package dev.mapsync.internal.store;

import dev.mapsync.internal.sys.KernelMapInfo;
import dev.mapsync.internal.btf.BtfReader;
import dev.mapsync.Backend;
import dev.mapsync.Codec;
import dev.mapsync.CorruptMapException;
import dev.mapsync.IncompatibleMapException;
import dev.mapsync.MapAccessDeniedException;
import dev.mapsync.MapExistsException;
import dev.mapsync.MapNotFoundException;
import dev.mapsync.MapSyncException;
import dev.mapsync.MapType;
import dev.mapsync.Schema;
import dev.mapsync.internal.sys.Errno;
import dev.mapsync.internal.sys.SyscallException;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The bpf backend of array maps: the values live in a kernel {@code BPF_MAP_TYPE_ARRAY}, the header and control
 * region in an shm sidecar file.
 *
 * <h2>Where a bpf map's parts are</h2>
 * <ul>
 * <li>The kernel map: {@code BPF_MAP_TYPE_ARRAY} with {@code BPF_F_MMAPABLE}, a 4-byte key, the spec's value size,
 *     the spec's entry count as {@code max_entries}, and BTF written from the schema (so {@code bpftool map dump}
 *     prints field names). Maps mapsync creates are pinned at {@code /sys/fs/bpf/mapsync/<name>} with the spec's
 *     mode (set after pinning, whatever the umask). Its values are mapped {@code MAP_SHARED}: element {@code i}
 *     at {@code i * round_up(value_size, 8)}, plain memory, no system call per access.</li>
 * <li>The sidecar: {@link Blueprint#file()}, that is {@code <dir>/<name>}, the very place an shm map of that name
 *     would have. So one name is one map in a folder whichever backend it has, {@code MapSpec.existing(String)}
 *     opens either, and {@code mapsync list} tells them apart by the header's backend field. Its header has
 *     backend 1 (bpf), data offset 0, and in its backend area ({@link BpfArea}) the kernel map's id, type, flags
 *     and pin path: a map opened by name finds its kernel map there.</li>
 * </ul>
 *
 * <h2>Order of making and unmaking</h2>
 * Create: kernel map, pin, then the sidecar, published last. An opener opens the sidecar first, so a published
 * sidecar always has its pin. If a step fails, the earlier ones are undone: the pin is unlinked, the descriptor
 * closed (the kernel frees the map), and a half-written sidecar deleted, so nothing is left half-made. Delete:
 * the pin, then the sidecar. Processes that have the map mapped keep using it (the mapping holds the map).
 *
 * <h2>Foreign maps</h2>
 * A map pinned by bpftool or libbpf is opened with {@code MapSpec.pinned} or {@code MapSpec.existingPin}. The first
 * open adopts it: it reads the geometry with {@code BPF_OBJ_GET_INFO_BY_FD}, the schema from the spec or from the
 * map's BTF, and makes the sidecar, named after the pin, which records the pin path. A kernel map that cannot be
 * mapped (an array without {@code BPF_F_MMAPABLE}, one with a {@code bpf_spin_lock}, or a pin this process may
 * only read) is opened on the syscall path: the region has no data segment and every value is copied in and out
 * with {@code BPF_MAP_LOOKUP_ELEM} and {@code BPF_MAP_UPDATE_ELEM} ({@link MapRegion#elementIo()}). Maps of any
 * type other than array are refused.
 */
public final class BpfArrays {
    private BpfArrays() {}

    /**
     * Creates the kernel map, pins it, and makes its sidecar.
     *
     * @throws MapExistsException       if the pin or the sidecar exists
     * @throws MapAccessDeniedException if the kernel refuses (no CAP_BPF), or bpffs is not mounted and cannot be
     */
    public static MapRegion create(Blueprint spec, Header header) {
        String name = spec.name();
        if (spec.perCpu()) {
            // a per-CPU array cannot be mapped: its values are copied through bpf(2), one per possible CPU
            return NewPinnedMap.create(name, spec.file(), header, spec.mode(), BpfArea.ACCESS_SYSCALL,
                    () -> KernelMap.createPerCpuArray(name, spec.valueSchema(), header.entries()),
                    (map, pin) -> null, (region, map) -> region.withElementIo(new PerCpuElementIo(map, spec.valueSchema())));
        }
        return NewPinnedMap.create(name, spec.file(), header, spec.mode(), BpfArea.ACCESS_MMAP,
                () -> KernelMap.createArray(name, spec.valueSchema(), header.entries()),
                (map, pin) -> BpfFailures.call(name, pin, () -> map.map(false)), MapRegion::withElementIo);
    }

    /**
     * Opens a bpf map by its sidecar, or by pin path for specs made by {@code MapSpec.pinned} and
     * {@code MapSpec.existingPin} (adopting the map the first time), and checks the kernel map against the
     * sidecar. The caller checks the sidecar against the spec.
     *
     * @throws MapNotFoundException     if there is no sidecar, or no pin
     * @throws IncompatibleMapException if the pin holds no array map, or the kernel map's geometry differs
     * @throws IllegalArgumentException if the spec's pin path is outside every bpf file system
     */
    public static MapRegion open(Blueprint spec, boolean readOnly) {
        spec.pinPath().ifPresent(pin -> adoptIfNew(spec, pin));
        String name = spec.name();
        KernelMap[] opened = new KernelMap[1];
        try {
            MapRegion region = ShmMapFile.open(name, spec.file(), readOnly, spec.openTimeout(), Geometries.of(ArrayKind.INSTANCE), head -> {
                Header header = Header.read(head);
                if (header.backend() != Header.BACKEND_BPF) throw new IncompatibleMapException(name, "backend", "shm", "bpf");
                SpecCheck.checkType(name, header, MapType.ARRAY);
                BpfArea area = area(name, spec.file(), head);
                if (spec.pinPath().isPresent() && !spec.pinPath().get().equals(area.pin())) {
                    throw new IncompatibleMapException("map '" + name + "': its sidecar " + spec.file() + " belongs to the map"
                            + " pinned at " + area.pin() + ", not to " + spec.pinPath().get()
                            + "; open the other pin with another dir() or name", "pin path");
                }
                boolean perCpu = KernelMapInfo.isPerCpu(area.mapType());
                if (!spec.adoptsExisting() && spec.perCpu() != perCpu) {
                    throw new IncompatibleMapException(name, "kernel map type", KernelMapInfo.typeName(area.mapType()),
                            spec.perCpu() ? "percpu_array" : "array");
                }
                KernelMap map = opened[0] = openRecordedPin(name, spec.file(), area.pin(), readOnly);
                map.info().checkSidecar(name, spec.file(), area.mapType(), header.keySize(), header.valueSize(),
                        header.entries());
                return perCpu ? null : mapIfPossible(name, area.pin(), map, readOnly);
            }, () -> opened[0].close());
            if (KernelMapInfo.isPerCpu(opened[0].info().type())) {
                return region.withElementIo(new PerCpuElementIo(opened[0], Schema.parse(region.header().valueSchema())));
            }
            return region.withElementIo(opened[0]);
        } catch (RuntimeException | Error e) {
            if (opened[0] != null) opened[0].close();
            throw e;
        }
    }

    /**
     * The kernel map pinned at {@code spec}'s pin, for a pinned blueprint whose map was never adopted (no sidecar yet);
     * empty when there is a sidecar, whose header describes the map.
     */
    public static Optional<KernelMapInfo> unadoptedPin(Blueprint spec) {
        Optional<Path> pin = spec.pinPath();
        if (pin.isEmpty() || Files.exists(spec.file(), LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
        Bpffs.checkPinPath(spec.name(), pin.get());
        try (KernelMap map = openPin(spec.name(), pin.get(), true)) {
            return Optional.of(map.info());
        }
    }

    /**
     * Deletes a bpf map: the pin its sidecar records (or the spec's pin, or the default pin when there is no
     * sidecar), then the sidecar. Deleting an adopted map removes the foreign pin too.
     *
     * @throws MapNotFoundException if there is neither a sidecar nor a pin
     */
    public static void delete(Blueprint spec) {
        String name = spec.name();
        Path file = spec.file();
        Optional<BpfArea> area = sidecarArea(name, file);
        if (area.isPresent()) {
            Folders.checkDeletable(name, file); // before the pin goes
            Bpffs.unpin(area.get().pin());
            ShmMapFile.delete(name, file);
            return;
        }
        Path pin = spec.pinPath().orElse(Bpffs.defaultPin(name));
        if (!Bpffs.exists(pin)) {
            throw new MapNotFoundException("no map '" + name + "' (no sidecar " + file + " and nothing pinned at " + pin + ")");
        }
        // without a sidecar nothing says what the pin is: unlink it only if it is a map
        openPin(name, pin, true).close();
        Bpffs.unpin(pin);
    }

    /**
     * What a bpf map's kernel map is, for {@code mapsync info} and {@code list}, in display order: kernel map id,
     * pin, kernel map type and flags, and access ({@code mmap} or {@code syscall}: how this process would reach
     * the values). The pin is opened (read-only if need be) to report the live map; when it cannot be, the
     * sidecar's record is shown and says so. Empty when the sidecar cannot be read.
     */
    public static Map<String, String> details(String name, Path sidecar) {
        Optional<BpfArea> area;
        try {
            area = readArea(name, sidecar);
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        if (area.isEmpty()) return Map.of();
        BpfArea a = area.get();
        KernelMapInfo live = null;
        String access = a.accessName();
        String unreachable = null;
        try (KernelMap map = KernelMap.openPin(name, a.pin(), true)) {
            live = map.info();
            access = map.canMap() ? "mmap" : "syscall";
        } catch (SyscallException e) {
            unreachable = e.errno() == Errno.ENOENT ? "nothing is pinned there any more" : "cannot open the pin: " + e.getMessage();
        } catch (RuntimeException e) {
            unreachable = e.getMessage();
        }
        Map<String, String> d = new LinkedHashMap<>();
        if (live == null) {
            d.put("kernel map id", a.mapId() + " (recorded in the sidecar)");
            d.put("pin", a.pin() + " (" + unreachable + ")");
            d.put("kernel map", kernelMapText(a.mapType(), a.flags()));
        } else {
            d.put("kernel map id", live.id() == a.mapId() ? Integer.toString(live.id())
                    : live.id() + " (the sidecar recorded " + a.mapId() + ": the pin was replaced)");
            d.put("pin", a.pin().toString());
            d.put("kernel map", kernelMapText(live.type(), live.flags()));
        }
        d.put("access", access);
        return d;
    }

    private static String kernelMapText(int type, int flags) {
        // only arrays can be mapped, and only with the flag: say so where it is a question
        if (type != KernelMapInfo.TYPE_ARRAY) return KernelMapInfo.typeName(type);
        return KernelMapInfo.typeName(type) + ((flags & KernelMapInfo.F_MMAPABLE) != 0 ? ", mmapable" : ", not mmapable");
    }

    /** Makes the sidecar of a map pinned at {@code pin} unless it exists; then the ordinary open follows. */
    private static void adoptIfNew(Blueprint spec, Path pin) {
        String name = spec.name();
        Bpffs.checkPinPath(name, pin);
        if (Files.exists(spec.file(), LinkOption.NOFOLLOW_LINKS)) return;
        BpfArea.checkFits(name, pin);
        try (KernelMap map = openPin(name, pin, true)) {
            KernelMapInfo info = map.info();
            Header header = adoptionHeader(spec, pin, info);
            int access = info.mmapable() ? BpfArea.ACCESS_MMAP : BpfArea.ACCESS_SYSCALL;
            BpfArea area = new BpfArea(info.id(), info.type(), info.flags(), access, pin);
            MapRegion made = ShmMapFile.create(name, spec.file(), header, spec.mode(), head -> {
                area.write(head);
                return null; // the open that follows maps the values
            }, () -> {});
            made.close();
        } catch (MapExistsException e) {
            // another process adopted the map first; its sidecar is the one to open
        }
    }

    /** The header of an adopted map: geometry from the kernel, schema from the spec or from the map's BTF. */
    public static Header adoptionHeader(Blueprint spec, Path pin, KernelMapInfo info) {
        String name = spec.name();
        String map = "map '" + name + "' pinned at " + pin;
        if (!info.isArray() && !info.isPerCpuArray()) {
            throw new IncompatibleMapException(map + " is a " + info.typeName() + " map; SharedArray opens array maps"
                    + " (BPF_MAP_TYPE_ARRAY and PERCPU_ARRAY) only" + (info.isHash() ? "; open it with SharedHashMap" : ""),
                    "kernel map type");
        }
        if (!spec.adoptsExisting() && spec.perCpu() != info.isPerCpuArray()) {
            throw new IncompatibleMapException(name, "kernel map type", info.typeName(), spec.perCpu() ? "percpu_array" : "array");
        }
        if (info.keySize() != 4) {
            throw new IncompatibleMapException(map + " has " + info.keySize() + "-byte keys, not 4", "key size");
        }
        Schema schema = spec.adoptsExisting() ? schemaFromBtf(map, info) : spec.valueSchema();
        if (schema.size() != info.valueSize()) {
            throw new IncompatibleMapException(map + " does not match the spec: value size: the kernel map has "
                    + info.valueSize() + ", the spec asks " + schema.size() + " (" + schema + ")", "value size");
        }
        Blueprint adopted = spec.made(MapType.ARRAY, null, Codec.of(schema), info.maxEntries(),
                ControlLayout.defaultStripes(info.maxEntries()));
        return ArrayKind.INSTANCE.newHeader(adopted);
    }

    private static Schema schemaFromBtf(String map, KernelMapInfo info) {
        String instead = "; open it with MapSpec.pinned(pin, codec) to say what its values are";
        if (!info.hasBtf() || info.btfValueTypeId() == 0) {
            throw new IncompatibleMapException(map + " has no BTF, so the layout of its " + info.valueSize()
                    + "-byte values is unknown" + instead, "value schema");
        }
        BtfReader btf;
        try {
            btf = BtfReader.ofKernel(info.btfId());
        } catch (SyscallException e) {
            throw new MapAccessDeniedException("cannot read the BTF of " + map + ": " + e.getMessage() + instead, e);
        } catch (IllegalArgumentException e) {
            throw new IncompatibleMapException(map + " has BTF this reader does not understand: " + e.getMessage() + instead,
                    "value schema");
        }
        try {
            return btf.schema(info.btfValueTypeId());
        } catch (IllegalArgumentException e) {
            throw new IncompatibleMapException(map + " has values no schema describes: " + e.getMessage() + instead,
                    "value schema");
        }
    }


    /**
     * The values' mapping, or null when they are reached through {@code bpf(2)}: the map is not an mmapable array,
     * the descriptor is read-only, or the map has a bpf_spin_lock (mmap gives ENOTSUPP).
     */
    private static MemorySegment mapIfPossible(String name, Path pin, KernelMap map, boolean readOnly) {
        if (!map.canMap()) return null;
        try {
            return map.map(readOnly);
        } catch (SyscallException e) {
            if (e.errno() == Errno.ENOTSUPP) return null;
            if (e.errno() == Errno.EPERM && !readOnly) {
                throw new MapAccessDeniedException("bpf map '" + name + "' (pin " + pin + ") is frozen"
                        + " (BPF_MAP_FREEZE), so it cannot be mapped writable; open it read-only: " + e.getMessage(), e);
            }
            throw BpfFailures.of(name, pin, e);
        }
    }

    public static KernelMap openPin(String name, Path pin, boolean readOnly) {
        return BpfFailures.call(name, pin, () -> KernelMap.openPin(name, pin, readOnly));
    }

    public static KernelMap openRecordedPin(String name, Path sidecar, Path pin, boolean readOnly) {
        try {
            return openPin(name, pin, readOnly);
        } catch (MapNotFoundException e) {
            throw new MapNotFoundException("no map '" + name + "': its sidecar " + sidecar + " exists, but nothing is"
                    + " pinned at " + pin + " any more; the map was deleted or its creator failed (remove the sidecar:"
                    + " mapsync rm " + name + ")", e);
        }
    }

    public static BpfArea area(String name, Path sidecar, MemorySegment head) {
        BpfArea area;
        try {
            area = BpfArea.read(head);
        } catch (IllegalStateException e) {
            throw new CorruptMapException("bpf map '" + name + "' is corrupt: in its sidecar " + sidecar + ", the "
                    + e.getMessage());
        }
        // a sidecar is named after its pin, whether mapsync made the map or adopted another program's pin
        Path pinName = area.pin().getFileName();
        if (pinName == null || !pinName.toString().equals(name)) {
            throw new CorruptMapException("bpf map '" + name + "' is corrupt: in its sidecar " + sidecar + ", the pin"
                    + " path " + area.pin() + " does not end in the map's name");
        }
        return area;
    }

    /** The area of a finished bpf sidecar, or empty when there is no file. */
    private static Optional<BpfArea> sidecarArea(String name, Path file) {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
        Header header = ShmMapFile.readHeader(name, file, Duration.ZERO, Geometries.COMMON);
        if (header.backend() != Header.BACKEND_BPF) throw new IncompatibleMapException(name, "backend", "shm", "bpf");
        try {
            return readArea(name, file);
        } catch (IOException e) {
            throw new MapSyncException("cannot read sidecar " + file + " of bpf map '" + name + "': " + e, e);
        }
    }

    private static Optional<BpfArea> readArea(String name, Path sidecar) throws IOException {
        if (!Files.exists(sidecar, LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
        ByteBuffer head = ByteBuffer.allocate((int) Header.SCHEMA_TEXT_OFFSET);
        try (FileChannel ch = FileChannel.open(sidecar, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            while (head.hasRemaining() && ch.read(head) > 0) {
                // keep reading until the fixed part of the header is in
            }
        }
        if (head.hasRemaining()) return Optional.empty();
        return Optional.of(area(name, sidecar, MemorySegment.ofArray(head.array())));
    }
}
