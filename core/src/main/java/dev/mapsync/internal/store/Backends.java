package dev.mapsync.internal.store;

import dev.mapsync.Backend;
import dev.mapsync.MapExistsException;
import dev.mapsync.MapNotFoundException;
import dev.mapsync.MapSpec;
import dev.mapsync.MapSyncException;
import dev.mapsync.MapType;
import dev.mapsync.internal.ring.BpfRings;

import java.util.function.Function;

/** Creates and opens map regions, choosing the backend the spec names. */
public final class Backends {
    private Backends() {}

    /** Creates a new map; nothing is left behind if creation fails. */
    public static MapRegion create(MapSpec<?> spec) {
        SpecCheck.requireType(spec, MapType.ARRAY);
        if (spec.adoptsExisting() || spec.entries() == 0) {
            throw new IllegalArgumentException("spec for existing map '" + spec.name() + "' has no schema or size to create it with");
        }
        Header header = Header.forNewMap(spec);
        return switch (spec.backend()) {
            case SHM -> ShmMapFile.create(spec.name(), spec.file(), header, spec.mode(), ShmMapFile::inlineData, () -> {});
            case BPF -> BpfArrays.create(spec, header);
        };
    }

    /** Opens an existing array map and checks it against the spec. */
    public static MapRegion open(MapSpec<?> spec, boolean readOnly) {
        SpecCheck.requireType(spec, MapType.ARRAY);
        if (spec.pinPath().isEmpty()) {
            // a map of another type is refused before anything of it is mapped as an array's
            SpecCheck.check(ShmMapFile.readHeader(spec.name(), spec.file(), spec.openTimeout()), spec, MapType.ARRAY);
        }
        MapRegion region = switch (backendOf(spec, spec.openTimeout())) {
            case SHM -> ShmMapFile.open(spec.name(), spec.file(), readOnly, spec.openTimeout(), ShmMapFile::inlineData, () -> {});
            case BPF -> BpfArrays.open(spec, readOnly);
        };
        try {
            SpecCheck.check(region.header(), spec, MapType.ARRAY);
            return region;
        } catch (RuntimeException e) {
            region.close();
            throw e;
        }
    }

    /** Opens the array map, or creates it when there is none; racing creators agree on one map. */
    public static MapRegion openOrCreate(MapSpec<?> spec) {
        return openOrCreate(spec, Backends::create, s -> open(s, false));
    }

    /**
     * Opens the map with {@code open}, or creates it with {@code create} when there is none; racing creators agree
     * on one map. A spec that cannot create (it adopts an existing map) only opens.
     */
    public static <R> R openOrCreate(MapSpec<?> spec, Function<MapSpec<?>, R> create, Function<MapSpec<?>, R> open) {
        if (spec.adoptsExisting() || spec.entries() == 0) return open.apply(spec);
        MapSyncException last = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            try {
                return create.apply(spec);
            } catch (MapExistsException e) {
                last = e;
            }
            try {
                return open.apply(spec);
            } catch (MapNotFoundException e) {
                last = e; // deleted between our create and open: try again
            }
        }
        throw new MapSyncException("could not open or create map '" + spec.name() + "': it kept appearing and disappearing", last);
    }

    /** Reads a map's header without keeping it open. */
    public static Header readHeader(MapSpec<?> spec) {
        return switch (spec.backend()) {
            case SHM -> ShmMapFile.readHeader(spec.name(), spec.file(), spec.openTimeout());
            case BPF -> spec.type() == MapType.RING ? BpfRings.readHeader(spec) : BpfArrays.readHeader(spec);
        };
    }

    /** Deletes a map: its file, and for bpf maps its pin too. Processes that have it open keep using it. */
    public static void delete(MapSpec<?> spec) {
        Backend backend;
        try {
            backend = backendOf(spec, java.time.Duration.ZERO);
        } catch (MapNotFoundException e) {
            backend = spec.backend(); // a pin without a sidecar is still deleted
        } catch (MapSyncException e) {
            backend = Backend.SHM; // a corrupt or unfinished file is deleted as a file
        }
        if (backend == Backend.BPF) {
            BpfArrays.delete(spec);
        } else {
            ShmMapFile.delete(spec.name(), spec.file());
        }
    }

    /**
     * The backend to open the spec with: its own, except that a spec adopting a map by name or file takes the
     * backend its header records (a bpf map's sidecar sits where an shm map's file would). Reading that header
     * waits for the map to be ready, up to {@code timeout}.
     */
    public static Backend backendOf(MapSpec<?> spec, java.time.Duration timeout) {
        if (!spec.adoptsExisting() || spec.pinPath().isPresent()) return spec.backend();
        Header header = ShmMapFile.readHeader(spec.name(), spec.file(), timeout);
        return header.storage();
    }
}
