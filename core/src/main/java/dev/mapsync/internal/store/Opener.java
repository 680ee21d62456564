package dev.mapsync.internal.store;

import dev.mapsync.Backend;
import dev.mapsync.MapExistsException;
import dev.mapsync.MapNotFoundException;
import dev.mapsync.MapSyncException;

import java.time.Duration;

/**
 * Creates and opens maps of every kind the same way: the blueprint's type against the kind's, the header against
 * the blueprint, the storage of the backend, and on any failure everything opened so far closed again.
 */
public final class Opener {
    private Opener() {}

    /** Creates a new map; nothing is left behind if creation fails. */
    public static <R> R create(Blueprint spec, MapKind<R> kind) {
        SpecCheck.requireType(spec, kind.type());
        if (spec.adoptsExisting() || spec.entries() == 0) {
            throw new IllegalArgumentException("spec for existing " + kind.noun() + " '" + spec.name() + "' has no "
                    + kind.creatingNeeds() + " to create it with");
        }
        Header header = kind.newHeader(spec);
        return switch (spec.backend()) {
            case SHM -> kind.createShm(spec, header);
            case BPF -> kind.createBpf(spec, header);
        };
    }

    /**
     * Opens an existing map and checks it against the blueprint. A map of another type is refused before anything of
     * it is mapped as this kind's.
     */
    public static <R> R open(Blueprint spec, boolean readOnly, MapKind<R> kind) {
        SpecCheck.requireType(spec, kind.type());
        Backend backend = spec.backend();
        if (spec.pinPath().isEmpty()) {
            Header header = ShmMapFile.readHeader(spec.name(), spec.file(), spec.openTimeout(), Geometries.of(kind));
            SpecCheck.check(header, spec, kind.type());
            if (spec.adoptsExisting()) backend = header.storage(); // as backendOf would read it
        }
        R opened = switch (backend) {
            case SHM -> kind.openShm(spec, readOnly);
            case BPF -> kind.openBpf(spec, readOnly);
        };
        try {
            SpecCheck.check(kind.region(opened).header(), spec, kind.type());
            kind.checkOpened(opened, spec);
            return opened;
        } catch (RuntimeException e) {
            kind.close(opened);
            throw e;
        }
    }

    /**
     * Opens the map, or creates it when there is none; racing creators agree on one map. A blueprint that cannot
     * create (it adopts an existing map) only opens.
     */
    public static <R> R openOrCreate(Blueprint spec, MapKind<R> kind) {
        if (spec.adoptsExisting() || spec.entries() == 0) return open(spec, false, kind);
        MapSyncException last = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            try {
                return create(spec, kind);
            } catch (MapExistsException e) {
                last = e;
            }
            try {
                return open(spec, false, kind);
            } catch (MapNotFoundException e) {
                last = e; // deleted between our create and open: try again
            }
        }
        throw new MapSyncException("could not open or create map '" + spec.name() + "': it kept appearing and disappearing", last);
    }

    /**
     * The backend to open the blueprint with: its own, except that one adopting a map by name or file takes the
     * backend its header records (a bpf map's sidecar sits where an shm map's file would). Reading that header
     * waits for the map to be ready, up to {@code timeout}.
     */
    public static Backend backendOf(Blueprint spec, Duration timeout) {
        if (!spec.adoptsExisting() || spec.pinPath().isPresent()) return spec.backend();
        return ShmMapFile.readHeader(spec.name(), spec.file(), timeout, Geometries.COMMON).storage();
    }

    /** Deletes a map: its file, and for bpf maps its pin too. Processes that have it open keep using it. */
    public static void delete(Blueprint spec) {
        Backend backend;
        try {
            backend = backendOf(spec, Duration.ZERO);
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
}
