package dev.mapsync.internal.ring;

import dev.mapsync.MapType;
import dev.mapsync.internal.store.Blueprint;
import dev.mapsync.internal.store.Geometries;
import dev.mapsync.internal.store.Header;
import dev.mapsync.internal.store.MapKind;
import dev.mapsync.internal.store.MapRegion;
import dev.mapsync.internal.store.ShmMapFile;
import dev.mapsync.internal.sys.LibC;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Rings (and queues, rings of typed values): records in the file, mapped twice in a row as the kernel maps a BPF
 * ring buffer's data (shm), or a kernel ring buffer (bpf).
 */
public final class RingKind extends MapKind<RingRegion> {
    public static final RingKind INSTANCE = new RingKind();

    private RingKind() {
        super(MapType.RING, "ring", "capacity");
    }

    @Override
    public void checkGeometry(Header h, String where) {
        RingLayout.checkGeometry(h, where);
    }

    @Override
    public void checkSchema(Header h, String where) {
        RingLayout.checkSchema(h, where);
    }

    @Override
    public Header newHeader(Blueprint spec) {
        if (spec.userRing() && spec.backend() != dev.mapsync.Backend.BPF) {
            throw new IllegalArgumentException("ring '" + spec.name() + "': a ring into the kernel is a kernel map"
                    + " (BPF_MAP_TYPE_USER_RINGBUF); use the bpf backend");
        }
        return RingLayout.header(spec);
    }

    @Override
    public RingRegion createShm(Blueprint spec, Header header) {
        return RingRegion.shm(ShmMapFile.create(spec.name(), spec.file(), header, spec.mode(),
                (mapping, fd, arena) -> mapTwice(spec.name(), mapping, fd, arena, false), () -> {}));
    }

    @Override
    public RingRegion createBpf(Blueprint spec, Header header) {
        return BpfRings.create(spec, header);
    }

    @Override
    public RingRegion openShm(Blueprint spec, boolean readOnly) {
        return RingRegion.shm(ShmMapFile.open(spec.name(), spec.file(), readOnly, spec.openTimeout(),
                Geometries.of(this), (mapping, fd, arena) -> mapTwice(spec.name(), mapping, fd, arena, readOnly),
                () -> {}));
    }

    @Override
    public RingRegion openBpf(Blueprint spec, boolean readOnly) {
        return BpfRings.open(spec, readOnly);
    }

    @Override
    public MapRegion region(RingRegion opened) {
        return opened.map();
    }

    @Override
    public void close(RingRegion opened) {
        opened.close();
    }

    /** The data region of an shm ring, mapped twice in a row (as the kernel maps a BPF ring buffer's data). */
    private static MemorySegment mapTwice(String name, MemorySegment mapping, int fd, Arena arena, boolean readOnly) {
        Header h = Header.read(mapping);
        int prot = readOnly ? LibC.PROT_READ : LibC.PROT_READ | LibC.PROT_WRITE;
        MemorySegment data = LibC.mmapTwice(fd, h.dataOffset(), h.dataLength(), prot, arena, "records of ring " + name);
        return readOnly ? data.asReadOnly() : data;
    }
}
