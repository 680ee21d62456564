package dev.mapsync.internal.counter;

import dev.mapsync.MapType;
import dev.mapsync.internal.store.Blueprint;
import dev.mapsync.internal.store.Geometries;
import dev.mapsync.internal.store.Header;
import dev.mapsync.internal.store.MapKind;
import dev.mapsync.internal.store.MapRegion;
import dev.mapsync.internal.store.ShmMapFile;

/** Counter maps: a control region (process slots, used bitmap) and a data region of cell blocks, shm only. */
public final class CounterKind extends MapKind.OfRegion {
    public static final CounterKind INSTANCE = new CounterKind();

    private CounterKind() {
        super(MapType.COUNTER, "counter map", "count");
    }

    @Override
    public void checkGeometry(Header h, String where) {
        CounterLayout.checkGeometry(h, where);
    }

    @Override
    public void checkSchema(Header h, String where) {
        CounterLayout.checkSchema(h, where);
    }

    @Override
    public Header newHeader(Blueprint spec) {
        return CounterLayout.header(spec);
    }

    @Override
    public MapRegion createShm(Blueprint spec, Header header) {
        return ShmMapFile.create(spec.name(), spec.file(), header, spec.mode(), ShmMapFile::inlineData, () -> {});
    }

    @Override
    public MapRegion createBpf(Blueprint spec, Header header) {
        throw shmOnly();
    }

    @Override
    public MapRegion openShm(Blueprint spec, boolean readOnly) {
        return ShmMapFile.open(spec.name(), spec.file(), readOnly, spec.openTimeout(), Geometries.of(this),
                ShmMapFile::inlineData, () -> {});
    }

    @Override
    public MapRegion openBpf(Blueprint spec, boolean readOnly) {
        throw shmOnly();
    }

    /** Why a counter map refuses the bpf backend. */
    public static IllegalArgumentException shmOnly() {
        return new IllegalArgumentException(SHM_ONLY);
    }

    public static final String SHM_ONLY = "a counter map lives in shared memory only (shm backend): its cells are"
            + " not kept in a kernel map";
}
