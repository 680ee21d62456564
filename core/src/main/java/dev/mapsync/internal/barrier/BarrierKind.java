package dev.mapsync.internal.barrier;

import dev.mapsync.MapType;
import dev.mapsync.internal.store.Blueprint;
import dev.mapsync.internal.store.Header;
import dev.mapsync.internal.store.MapKind;

/** Barriers: a control region and no data region, in shared memory only (their waiters sleep on futex words). */
public final class BarrierKind extends MapKind.ShmOnly {
    public static final BarrierKind INSTANCE = new BarrierKind();

    private BarrierKind() {
        super(MapType.BARRIER, "barrier", "parties", (mapping, fd, arena) -> null, "a barrier lives in shared memory"
                + " only: its waiters sleep on futex words, which the kernel refuses on BPF map memory");
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
}
