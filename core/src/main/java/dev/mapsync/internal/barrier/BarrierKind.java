package dev.mapsync.internal.barrier;

import dev.mapsync.MapType;
import dev.mapsync.internal.store.Blueprint;
import dev.mapsync.internal.store.Geometries;
import dev.mapsync.internal.store.Header;
import dev.mapsync.internal.store.MapKind;
import dev.mapsync.internal.store.MapRegion;
import dev.mapsync.internal.store.ShmMapFile;

/** Barriers: a control region and no data region, in shared memory only (their waiters sleep on futex words). */
public final class BarrierKind extends MapKind.OfRegion {
    public static final BarrierKind INSTANCE = new BarrierKind();

    private BarrierKind() {
        super(MapType.BARRIER, "barrier", "parties");
    }

    @Override
    public void checkGeometry(Header h, String where) {
        BarrierLayout.checkGeometry(h, where);
    }

    @Override
    public void checkSchema(Header h, String where) {
        BarrierLayout.checkSchema(h, where);
    }

    @Override
    public Header newHeader(Blueprint spec) {
        return BarrierLayout.header(spec);
    }

    @Override
    public MapRegion createShm(Blueprint spec, Header header) {
        return ShmMapFile.create(spec.name(), spec.file(), header, spec.mode(), (mapping, fd, arena) -> null, () -> {});
    }

    @Override
    public MapRegion createBpf(Blueprint spec, Header header) {
        throw shmOnly();
    }

    @Override
    public MapRegion openShm(Blueprint spec, boolean readOnly) {
        return ShmMapFile.open(spec.name(), spec.file(), readOnly, spec.openTimeout(), Geometries.of(this),
                (mapping, fd, arena) -> null, () -> {});
    }

    @Override
    public MapRegion openBpf(Blueprint spec, boolean readOnly) {
        throw shmOnly();
    }

    private static IllegalArgumentException shmOnly() {
        return new IllegalArgumentException("a barrier lives in shared memory only: its waiters sleep on futex words,"
                + " which the kernel refuses on BPF map memory");
    }
}
