package dev.mapsync;

import dev.mapsync.internal.barrier.BarrierKind;
import dev.mapsync.internal.counter.CounterKind;
import dev.mapsync.internal.hash.BpfHashes;
import dev.mapsync.internal.hash.HashKind;
import dev.mapsync.internal.ring.BpfRings;
import dev.mapsync.internal.ring.RingKind;
import dev.mapsync.internal.store.ArrayKind;
import dev.mapsync.internal.store.Blueprint;
import dev.mapsync.internal.store.BpfArrays;
import dev.mapsync.internal.store.Geometries;
import dev.mapsync.internal.store.Header;
import dev.mapsync.internal.store.ShmMapFile;
import dev.mapsync.internal.sys.KernelMapInfo;

import java.nio.file.Path;
import java.util.Optional;

/** Every kind of map at once: what reads a map of any kind (to describe or list it) needs. */
final class Kinds {
    private Kinds() {}

    /** The header rules of every map type. */
    static final Geometries ALL = type -> switch (type) {
        case ARRAY -> ArrayKind.INSTANCE;
        case HASH -> HashKind.INSTANCE;
        case RING -> RingKind.INSTANCE;
        case BARRIER -> BarrierKind.INSTANCE;
        case COUNTER -> CounterKind.INSTANCE;
    };

    /**
     * The header of the map {@code spec} names, of whatever kind, checked by its kind's rules; for a pin whose map was
     * never adopted, the header adopting it would write (nothing is made).
     */
    static Header readHeader(Blueprint spec) {
        Optional<KernelMapInfo> unadopted = BpfArrays.unadoptedPin(spec);
        if (unadopted.isPresent()) {
            KernelMapInfo info = unadopted.get();
            Path pin = spec.pinPath().orElseThrow();
            if (spec.type() == MapType.RING) return BpfRings.adoptionHeader(spec, pin, info);
            if (info.isHash() && spec.type() != MapType.ARRAY) return BpfHashes.readHeader(spec, pin, info);
            return BpfArrays.adoptionHeader(spec, pin, info);
        }
        return ShmMapFile.readHeader(spec.name(), spec.file(), spec.openTimeout(), ALL);
    }
}
