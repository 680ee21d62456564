package dev.mapsync.internal.hash;

import dev.mapsync.Backend;
import dev.mapsync.CorruptMapException;
import dev.mapsync.MapType;
import dev.mapsync.internal.lock.EntryLocks;
import dev.mapsync.internal.notify.ChangeLog;
import dev.mapsync.internal.store.Blueprint;
import dev.mapsync.internal.store.Geometries;
import dev.mapsync.internal.store.Geometry;
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
public final class HashKind implements MapKind<MapRegion>, Geometry {
    public static final HashKind INSTANCE = new HashKind();

    private static final SecureRandom SEEDS = new SecureRandom();
    /** An shm hash map's table; a bpf hash map has no data region. */
    private static final Header.KeyedData DATA = (inline, keySize, valueSize, entries, stripes) ->
            inline ? new HashLayout(keySize, valueSize, entries, stripes).dataLength() : 0;

    private HashKind() {}

    @Override
    public MapType type() {
        return MapType.HASH;
    }

    @Override
    public String noun() {
        return "map";
    }

    @Override
    public String creatingNeeds() {
        return "schema or capacity";
    }

    @Override
    public Geometry geometry() {
        return this;
    }

    @Override
    public void checkGeometry(Header h, String where) {
        h.checkKeyedGeometry(where, MapType.HASH, DATA);
    }

    @Override
    public void checkSchema(Header h, String where) {
        Header.checkSchemaSize(h, where);
    }

    @Override
    public Header newHeader(Blueprint spec) {
        if (spec.backend() == Backend.SHM && (spec.lru() || spec.spinLock())) {
            throw new IllegalArgumentException("map '" + spec.name() + "': " + (spec.lru() ? "LRU eviction" : "a bpf_spin_lock value")
                    + " is a kernel hash map feature; use the bpf backend");
        }
        return Header.forNewMap(spec, DATA);
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
    public MapRegion openShm(Blueprint spec, boolean readOnly) {
        return ShmMapFile.open(spec.name(), spec.file(), readOnly, spec.openTimeout(), Geometries.of(this),
                ShmMapFile::inlineData, () -> {});
    }

    @Override
    public MapRegion openBpf(Blueprint spec, boolean readOnly) {
        return BpfHashes.open(spec, readOnly);
    }

    @Override
    public MapRegion region(MapRegion opened) {
        return opened;
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

    @Override
    public void close(MapRegion opened) {
        opened.close();
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
