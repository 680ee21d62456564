package dev.mapsync.internal.hash;

import dev.mapsync.Backend;
import dev.mapsync.CorruptMapException;
import dev.mapsync.MapType;
import dev.mapsync.internal.lock.EntryLocks;
import dev.mapsync.internal.notify.ChangeLog;
import dev.mapsync.internal.store.Blueprint;
import dev.mapsync.internal.store.Header;
import dev.mapsync.internal.store.MapKind;
import dev.mapsync.internal.store.MapRegion;
import dev.mapsync.internal.store.ShmMapFile;

import java.lang.foreign.MemorySegment;
import java.security.SecureRandom;

/**
 * Hash maps: the table of {@link HashLayout} in the file (shm), or a kernel hash map reached through {@code bpf(2)}
 * (bpf), which has no data region.
 */
public final class HashKind extends MapKind.Keyed {
    public static final HashKind INSTANCE = new HashKind();

    private static final SecureRandom SEEDS = new SecureRandom();

    private HashKind() {
        // an shm hash map's table; a bpf hash map has no data region
        super(MapType.HASH, "schema or capacity", (inline, keySize, valueSize, entries, stripes) ->
                inline ? new HashLayout(keySize, valueSize, entries, stripes).dataLength() : 0);
    }

    @Override
    public Header newHeader(Blueprint spec) {
        if (spec.backend() == Backend.SHM && (spec.lru() || spec.spinLock() || spec.perCpu())) {
            throw new IllegalArgumentException("map '" + spec.name() + "': " + (spec.perCpu() ? "a value per CPU"
                    : spec.lru() ? "LRU eviction" : "a bpf_spin_lock value") + " is a kernel hash map feature; use the bpf backend");
        }
        if (spec.perCpu() && spec.spinLock()) {
            throw new IllegalArgumentException("map '" + spec.name() + "': a per-CPU hash map cannot hold a bpf_spin_lock"
                    + " (the kernel refuses it: each CPU has its own value, so there is nothing to share a lock over)");
        }
        return super.newHeader(spec);
    }

    @Override
    public MapRegion createShm(Blueprint spec, Header header) {
        return ShmMapFile.create(spec.name(), spec.file(), header, spec.mode(), mapping -> {
            MemorySegment data = ShmMapFile.inlineData(mapping);
            layout(header).writeTableHeader(data, SEEDS.nextLong());
            return data;
        }, () -> {});
    }

    @Override
    public MapRegion createBpf(Blueprint spec, Header header) {
        return BpfHashes.create(spec, header);
    }

    @Override
    public MapRegion openBpf(Blueprint spec, boolean readOnly) {
        return BpfHashes.open(spec, readOnly);
    }

    /** An shm table's own header must agree with the map's. */
    @Override
    public void checkOpened(MapRegion region, Blueprint spec) {
        if (region.data() == null) return;
        String mismatch = layout(region.header()).mismatch(region.data());
        if (mismatch != null) {
            throw new CorruptMapException("map '" + spec.name() + "' is corrupt: its hash table header says " + mismatch);
        }
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
