package dev.mapsync.internal.counter;

import dev.mapsync.MapType;
import dev.mapsync.internal.store.Blueprint;
import dev.mapsync.internal.store.Header;
import dev.mapsync.internal.store.MapKind;
import dev.mapsync.internal.store.ShmMapFile;

/** Counter maps: a control region (process slots, used bitmap) and a data region of cell blocks, shm only. */
public final class CounterKind extends MapKind.ShmOnly {
    public static final CounterKind INSTANCE = new CounterKind();

    private CounterKind() {
        super(MapType.COUNTER, "counter map", "count", (mapping, fd, arena) -> ShmMapFile.inlineData(mapping),
                "a counter map lives in shared memory only (shm backend): its cells are not kept in a kernel map");
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
}
