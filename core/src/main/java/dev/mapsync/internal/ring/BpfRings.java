package dev.mapsync.internal.ring;

import dev.mapsync.internal.store.Blueprint;
import dev.mapsync.internal.store.Geometries;
import dev.mapsync.internal.store.BpfArrays;
import dev.mapsync.internal.store.BpfFailures;
import dev.mapsync.internal.store.Bpffs;
import dev.mapsync.internal.store.KernelMap;
import dev.mapsync.internal.sys.KernelMapInfo;
import dev.mapsync.internal.store.NewPinnedMap;
import dev.mapsync.Backend;
import dev.mapsync.CorruptMapException;
import dev.mapsync.IncompatibleMapException;
import dev.mapsync.MapExistsException;
import dev.mapsync.MapNotFoundException;
import dev.mapsync.MapType;
import dev.mapsync.internal.store.MapRegion;
import dev.mapsync.internal.store.BpfArea;
import dev.mapsync.internal.store.Header;
import dev.mapsync.internal.sys.Arch;
import dev.mapsync.internal.store.ShmMapFile;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The bpf backend of rings: a kernel {@code BPF_MAP_TYPE_RINGBUF} that BPF programs produce into, read straight
 * from its pages, with an shm sidecar for its header and control region (where the consumer's lock and record
 * are), laid out and placed as a bpf array's sidecar ({@link BpfArrays}).
 *
 * <h2>The kernel ring's pages (kernel-facts §1.3)</h2>
 * <pre>
 * file offset            length          mapped       content
 * 0                      PAGE            read-write   consumer position (u64 at 0); only the consumer writes it
 * PAGE                   PAGE            read-only    producer position (u64 at 0); the kernel writes it
 * 2 * PAGE               2 * capacity    read-only    the records, the same pages twice in a row
 * </pre>
 * The kernel refuses a writable mapping of anything but exactly the consumer page, and user space cannot produce
 * into such a ring (only a BPF program can, with {@code bpf_ringbuf_output} or {@code bpf_ringbuf_reserve}).
 *
 * <h2>Making and adopting</h2>
 * Create: kernel ring (key and value size 0, {@code max_entries} = capacity), pin at
 * {@code /sys/fs/bpf/mapsync/<name>} with the spec's mode, then the sidecar, published last. A ring pinned by
 * another program is opened with {@code MapSpec.pinnedRing}: the first open makes its sidecar, named after the pin.
 * Deleting goes through {@link BpfArrays#delete}, which reads the pin from any sidecar's backend area.
 */
public final class BpfRings {
    private BpfRings() {}

    /** The kernel ring's mappings. */
    private record Pages(MemorySegment consumer, MemorySegment producer, MemorySegment data) {}

    /**
     * Creates the kernel ring, pins it, and makes its sidecar.
     *
     * @throws MapExistsException if the pin or the sidecar exists
     */
    public static RingRegion create(Blueprint spec, Header header) {
        String name = spec.name();
        long capacity = header.dataLength();
        Pages[] pages = new Pages[1];
        if (spec.userRing()) {
            return NewPinnedMap.create(name, spec.file(), header, spec.mode(), BpfArea.ACCESS_MMAP,
                    () -> KernelMap.createUserRingBuf(name, (int) capacity),
                    (map, pin) -> {
                        pages[0] = mapUserPages(name, pin, map, capacity, false);
                        return null;
                    },
                    (region, map) -> RingRegion.kernelUser(region, pages[0].consumer(), pages[0].producer(),
                            pages[0].data(), capacity, map.fd()));
        }
        return NewPinnedMap.create(name, spec.file(), header, spec.mode(), BpfArea.ACCESS_MMAP,
                () -> KernelMap.createRingBuf(name, (int) capacity),
                (map, pin) -> {
                    pages[0] = mapPages(name, pin, map, capacity, false);
                    return null;
                },
                (region, map) -> RingRegion.kernel(region, pages[0].consumer(), pages[0].producer(), pages[0].data(),
                        capacity, map.fd()));
    }

    /**
     * Opens a kernel ring by its sidecar, or by pin path for specs made by {@code MapSpec.pinnedRing} (adopting it
     * the first time), and checks the kernel map against the sidecar.
     *
     * @throws MapNotFoundException     if there is no sidecar, or no pin
     * @throws IncompatibleMapException if the pin holds no ring buffer, or one of another size
     */
    public static RingRegion open(Blueprint spec, boolean readOnly) {
        spec.pinPath().ifPresent(pin -> adoptIfNew(spec, pin));
        String name = spec.name();
        KernelMap[] opened = new KernelMap[1];
        Pages[] pages = new Pages[1];
        try {
            MapRegion region = ShmMapFile.open(name, spec.file(), readOnly, spec.openTimeout(), Geometries.of(RingKind.INSTANCE), head -> {
                Header header = Header.read(head);
                if (header.backend() != Header.BACKEND_BPF) throw new IncompatibleMapException(name, "backend", "shm", "bpf");
                if (header.type() != MapType.RING.code()) {
                    throw new IncompatibleMapException(name, "map type", MapType.ofCode(header.type()), MapType.RING);
                }
                BpfArea area = BpfArrays.area(name, spec.file(), head);
                if (spec.pinPath().isPresent() && !spec.pinPath().get().equals(area.pin())) {
                    throw new IncompatibleMapException("map '" + name + "': its sidecar " + spec.file() + " belongs to the"
                            + " map pinned at " + area.pin() + ", not to " + spec.pinPath().get()
                            + "; open the other pin with another dir()", "pin path");
                }
                KernelMap map = opened[0] = openRecordedPin(name, spec.file(), area.pin());
                KernelMapInfo info = map.info();
                if (spec.pinPath().isEmpty() && !spec.adoptsExisting() && spec.userRing() != info.isUserRingBuf()) {
                    throw new IncompatibleMapException(name, "kernel map type", info.typeName(),
                            spec.userRing() ? "user_ringbuf" : "ringbuf");
                }
                if (info.type() != area.mapType() || !(info.isRingBuf() || info.isUserRingBuf())
                        || info.maxEntries() != header.dataLength()) {
                    throw new IncompatibleMapException("map '" + name + "': the kernel map pinned at " + area.pin()
                            + " is a " + info.typeName() + " map of " + info.maxEntries() + " entries, but its sidecar "
                            + spec.file() + " records a " + KernelMapInfo.typeName(area.mapType()) + " of "
                            + header.dataLength() + " bytes (the pin was"
                            + " replaced; delete the sidecar to adopt the new map)", "kernel map");
                }
                pages[0] = info.isUserRingBuf() ? mapUserPages(name, area.pin(), map, header.dataLength(), readOnly)
                        : mapPages(name, area.pin(), map, header.dataLength(), readOnly);
                return null;
            }, () -> opened[0].close());
            if (opened[0].info().isUserRingBuf()) {
                return RingRegion.kernelUser(region, pages[0].consumer(), pages[0].producer(), pages[0].data(),
                        region.header().dataLength(), opened[0].fd());
            }
            return RingRegion.kernel(region, pages[0].consumer(), pages[0].producer(), pages[0].data(),
                    region.header().dataLength(), opened[0].fd());
        } catch (RuntimeException | Error e) {
            if (opened[0] != null) opened[0].close();
            throw e;
        }
    }

    /** Makes the sidecar of a ring pinned at {@code pin} unless it exists; then the ordinary open follows. */
    private static void adoptIfNew(Blueprint spec, Path pin) {
        String name = spec.name();
        Bpffs.checkPinPath(name, pin);
        if (Files.exists(spec.file(), LinkOption.NOFOLLOW_LINKS)) return;
        BpfArea.checkFits(name, pin);
        try (KernelMap map = BpfFailures.call(name, pin, () -> KernelMap.openPin(name, pin, true))) {
            KernelMapInfo info = map.info();
            Header header = adoptionHeader(spec, pin, info);
            BpfArea area = new BpfArea(info.id(), info.type(), info.flags(), BpfArea.ACCESS_MMAP, pin);
            ShmMapFile.create(name, spec.file(), header, spec.mode(), head -> {
                area.write(head);
                return null;
            }, () -> {}).close();
        } catch (MapExistsException e) {
            // another process adopted the ring first; its sidecar is the one to open
        }
    }

    /** The header adoption would write for the kernel ring pinned at {@code pin} (nothing is made). */
    public static Header adoptionHeader(Blueprint spec, Path pin, KernelMapInfo info) {
        String map = "map '" + spec.name() + "' pinned at " + pin;
        if (!info.isRingBuf() && !info.isUserRingBuf()) {
            throw new IncompatibleMapException(map + " is a " + info.typeName() + " map; a ring is a kernel ring buffer"
                    + " (BPF_MAP_TYPE_RINGBUF or USER_RINGBUF)", "kernel map type");
        }
        String problem = RingLayout.capacityProblem(Integer.toUnsignedLong(info.maxEntries()));
        if (problem != null) throw new IncompatibleMapException(map + ": " + problem, "capacity");
        return RingLayout.header(spec.made(MapType.RING, null, null, info.maxEntries(), 0));
    }

    /** Maps the consumer page (read-write, or read-only for a reader), the producer page and the data (read-only). */
    private static Pages mapPages(String name, Path pin, KernelMap map, long capacity, boolean readOnly) {
        long page = Arch.PAGE_SIZE;
        return BpfFailures.call(name, pin, () -> {
            MemorySegment consumer = map.mapRange(0, page, !readOnly);
            MemorySegment producer = map.mapRange(page, page + 2 * capacity, false);
            return new Pages(consumer, producer, producer.asSlice(page, 2 * capacity));
        });
    }

    /**
     * Maps a user ring's pages, the other way round (kernel-facts §1.4): the consumer page read-only (a BPF program
     * moves it), the producer page and the twice-mapped data read-write (this process produces), or read-only for a
     * reader.
     */
    private static Pages mapUserPages(String name, Path pin, KernelMap map, long capacity, boolean readOnly) {
        long page = Arch.PAGE_SIZE;
        return BpfFailures.call(name, pin, () -> {
            MemorySegment consumer = map.mapRange(0, page, false);
            MemorySegment producer = map.mapRange(page, page + 2 * capacity, !readOnly);
            return new Pages(consumer, producer, producer.asSlice(page, 2 * capacity));
        });
    }

    private static KernelMap openRecordedPin(String name, Path sidecar, Path pin) {
        try {
            // read-write even for a reader: the kernel maps a ring's pages only through a writable descriptor
            return BpfFailures.call(name, pin, () -> KernelMap.openPin(name, pin, false));
        } catch (MapNotFoundException e) {
            throw new MapNotFoundException("no map '" + name + "': its sidecar " + sidecar + " exists, but nothing is"
                    + " pinned at " + pin + " any more; the ring was deleted or its creator failed (remove the sidecar:"
                    + " mapsync rm " + name + ")", e);
        }
    }
}
