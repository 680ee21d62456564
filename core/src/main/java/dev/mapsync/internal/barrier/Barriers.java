package dev.mapsync.internal.barrier;

import dev.mapsync.MapSpec;
import dev.mapsync.MapType;
import dev.mapsync.internal.store.Backends;
import dev.mapsync.internal.store.MapRegion;
import dev.mapsync.internal.store.SpecCheck;
import dev.mapsync.internal.store.ShmMapFile;

/** Creates and opens barrier files (shm only: a barrier has a control region and no data region). */
public final class Barriers {
    private Barriers() {}

    /** Creates a new barrier; nothing is left behind if creation fails. */
    public static MapRegion create(MapSpec<?> spec) {
        SpecCheck.requireType(spec, MapType.BARRIER);
        if (spec.adoptsExisting()) {
            throw new IllegalArgumentException("spec for existing barrier '" + spec.name() + "' has no parties to create it with");
        }
        return ShmMapFile.create(spec.name(), spec.file(), BarrierLayout.header(spec), spec.mode(),
                (mapping, fd, arena) -> null, () -> {});
    }

    /** Opens an existing barrier and checks it against the spec; a map of another type is refused before it is mapped. */
    public static MapRegion open(MapSpec<?> spec, boolean readOnly) {
        SpecCheck.requireType(spec, MapType.BARRIER);
        SpecCheck.check(ShmMapFile.readHeader(spec.name(), spec.file(), spec.openTimeout()), spec, MapType.BARRIER);
        MapRegion region = ShmMapFile.open(spec.name(), spec.file(), readOnly, spec.openTimeout(),
                (mapping, fd, arena) -> null, () -> {});
        try {
            SpecCheck.check(region.header(), spec, MapType.BARRIER);
            return region;
        } catch (RuntimeException e) {
            region.close();
            throw e;
        }
    }

    /** Opens the barrier, or creates it when there is none; racing creators agree on one barrier. */
    public static MapRegion openOrCreate(MapSpec<?> spec) {
        return Backends.openOrCreate(spec, Barriers::create, s -> open(s, false));
    }
}
