package dev.mapsync.internal.ring;

import dev.mapsync.Backend;
import dev.mapsync.MapSpec;
import dev.mapsync.MapType;
import dev.mapsync.internal.store.Backends;
import dev.mapsync.internal.store.SpecCheck;
import dev.mapsync.internal.store.Header;
import dev.mapsync.internal.sys.LibC;
import dev.mapsync.internal.store.ShmMapFile;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Creates and opens rings, choosing the backend the spec names (or, for a spec adopting a ring, its header). */
public final class Rings {
    private Rings() {}

    /** Creates a new ring; nothing is left behind if creation fails. */
    public static RingRegion create(MapSpec<?> spec) {
        SpecCheck.requireType(spec, MapType.RING);
        if (spec.adoptsExisting() || spec.entries() == 0) {
            throw new IllegalArgumentException("spec for existing ring '" + spec.name() + "' has no capacity to create it with");
        }
        Header header = RingLayout.header(spec);
        return switch (spec.backend()) {
            case SHM -> RingRegion.shm(ShmMapFile.create(spec.name(), spec.file(), header, spec.mode(),
                    (mapping, fd, arena) -> mapTwice(spec.name(), mapping, fd, arena, false), () -> {}));
            case BPF -> BpfRings.create(spec, header);
        };
    }

    /** Opens an existing ring and checks it against the spec; a map of another type is refused before it is mapped. */
    public static RingRegion open(MapSpec<?> spec, boolean readOnly) {
        SpecCheck.requireType(spec, MapType.RING);
        if (spec.pinPath().isEmpty()) {
            SpecCheck.check(ShmMapFile.readHeader(spec.name(), spec.file(), spec.openTimeout()), spec, MapType.RING);
        }
        Backend backend = Backends.backendOf(spec, spec.openTimeout());
        RingRegion ring = switch (backend) {
            case SHM -> RingRegion.shm(ShmMapFile.open(spec.name(), spec.file(), readOnly, spec.openTimeout(),
                    (mapping, fd, arena) -> mapTwice(spec.name(), mapping, fd, arena, readOnly), () -> {}));
            case BPF -> BpfRings.open(spec, readOnly);
        };
        try {
            SpecCheck.check(ring.map().header(), spec, MapType.RING);
            return ring;
        } catch (RuntimeException e) {
            ring.close();
            throw e;
        }
    }

    /** Opens the ring, or creates it when there is none; racing creators agree on one ring. */
    public static RingRegion openOrCreate(MapSpec<?> spec) {
        return Backends.openOrCreate(spec, Rings::create, s -> open(s, false));
    }

    /** The data region of an shm ring, mapped twice in a row (as the kernel maps a BPF ring buffer's data). */
    private static MemorySegment mapTwice(String name, MemorySegment mapping, int fd, Arena arena, boolean readOnly) {
        Header h = Header.read(mapping);
        int prot = readOnly ? LibC.PROT_READ : LibC.PROT_READ | LibC.PROT_WRITE;
        MemorySegment data = LibC.mmapTwice(fd, h.dataOffset(), h.dataLength(), prot, arena, "records of ring " + name);
        return readOnly ? data.asReadOnly() : data;
    }
}
