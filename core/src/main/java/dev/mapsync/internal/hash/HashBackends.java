package dev.mapsync.internal.hash;

import dev.mapsync.internal.store.Backends;
import dev.mapsync.internal.store.MapRegion;
import dev.mapsync.internal.store.SpecCheck;
import dev.mapsync.Backend;
import dev.mapsync.HashSpec;
import dev.mapsync.MapExistsException;
import dev.mapsync.MapNotFoundException;
import dev.mapsync.MapSyncException;
import dev.mapsync.MapType;
import dev.mapsync.internal.store.Header;
import dev.mapsync.internal.notify.ChangeLog;
import dev.mapsync.internal.store.ShmMapFile;
import dev.mapsync.internal.lock.EntryLocks;

import java.security.SecureRandom;

/** Creates and opens hash map regions, choosing the backend the spec names, and the table that works on them. */
public final class HashBackends {
    private HashBackends() {}

    private static final SecureRandom SEEDS = new SecureRandom();

    /** Creates a new hash map; nothing is left behind if creation fails. */
    public static MapRegion create(HashSpec<?, ?> spec) {
        if (spec.adoptsExisting() || spec.capacity() == 0) {
            throw new IllegalArgumentException("spec for existing map '" + spec.name() + "' has no schema or capacity to create it with");
        }
        if (spec.backend() == Backend.SHM && (spec.lru() || spec.spinLock())) {
            throw new IllegalArgumentException("map '" + spec.name() + "': " + (spec.lru() ? "LRU eviction" : "a bpf_spin_lock value")
                    + " is a kernel hash map feature; use the bpf backend");
        }
        Header header = Header.forNewMap(spec.mapSpec());
        return switch (spec.backend()) {
            case SHM -> ShmMapFile.create(spec.name(), spec.mapSpec().file(), header, spec.mapSpec().mode(), mapping -> {
                java.lang.foreign.MemorySegment data = ShmMapFile.inlineData(mapping);
                layout(header).writeTableHeader(data, SEEDS.nextLong());
                return data;
            }, () -> {});
            case BPF -> BpfHashes.create(spec, header);
        };
    }

    /** Opens an existing hash map and checks it against the spec. */
    public static MapRegion open(HashSpec<?, ?> spec, boolean readOnly) {
        MapRegion region = switch (Backends.backendOf(spec.mapSpec(), spec.mapSpec().openTimeout())) {
            case SHM -> ShmMapFile.open(spec.name(), spec.mapSpec().file(), readOnly, spec.mapSpec().openTimeout(),
                    ShmMapFile::inlineData, () -> {});
            case BPF -> BpfHashes.open(spec, readOnly);
        };
        try {
            SpecCheck.check(region.header(), spec.mapSpec(), MapType.HASH);
            if (region.data() != null) {
                String mismatch = layout(region.header()).mismatch(region.data());
                if (mismatch != null) {
                    throw new dev.mapsync.CorruptMapException("map '" + spec.name() + "' is corrupt: its hash table header"
                            + " says " + mismatch);
                }
            }
            return region;
        } catch (RuntimeException e) {
            region.close();
            throw e;
        }
    }

    /** Opens the map, or creates it when there is none; racing creators agree on one map. */
    public static MapRegion openOrCreate(HashSpec<?, ?> spec) {
        if (spec.adoptsExisting() || spec.capacity() == 0) return open(spec, false);
        MapSyncException last = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            try {
                return create(spec);
            } catch (MapExistsException e) {
                last = e;
            }
            try {
                return open(spec, false);
            } catch (MapNotFoundException e) {
                last = e;
            }
        }
        throw new MapSyncException("could not open or create map '" + spec.name() + "': it kept appearing and disappearing", last);
    }

    /**
     * The table of an opened region: the shm table over its data region, or the kernel map (the region's element
     * path, for bpf hash maps) through {@code bpf(2)}.
     */
    public static HashTable table(MapRegion region, EntryLocks locks, ChangeLog changes) {
        Header h = region.header();
        if (region.data() != null) return new ShmHashTable(region.data(), layout(h), locks, changes, region.name());
        return BpfHashes.table(region, locks, changes);
    }

    /** What the sidecar of a bpf hash map says about how its values are reached. */
    public static String accessPath(MapRegion region) {
        if (region.data() != null) return "shared memory";
        return BpfHashes.accessName(region);
    }

    private static HashLayout layout(Header h) {
        return new HashLayout(h.keySize(), h.valueSize(), h.entries(), h.lockStripes());
    }
}
