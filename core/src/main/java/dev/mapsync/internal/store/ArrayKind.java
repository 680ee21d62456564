package dev.mapsync.internal.store;

import dev.mapsync.MapType;
import dev.mapsync.internal.sys.Arch;

/** Array maps: values {@code stride} apart in a page-aligned data region, in the file or the kernel map's mapping. */
public final class ArrayKind implements MapKind<MapRegion>, Geometry {
    public static final ArrayKind INSTANCE = new ArrayKind();

    /** An array's values, {@code stride} apart, page-aligned. */
    private static final Header.KeyedData DATA = (inline, keySize, valueSize, entries, stripes) ->
            Arch.pageAlign(Header.stride(valueSize) * entries);

    private ArrayKind() {}

    @Override
    public MapType type() {
        return MapType.ARRAY;
    }

    @Override
    public String noun() {
        return "map";
    }

    @Override
    public String creatingNeeds() {
        return "schema or size";
    }

    @Override
    public Geometry geometry() {
        return this;
    }

    @Override
    public void checkGeometry(Header h, String where) {
        h.checkKeyedGeometry(where, MapType.ARRAY, DATA);
    }

    @Override
    public void checkSchema(Header h, String where) {
        Header.checkSchemaSize(h, where);
    }

    @Override
    public Header newHeader(Blueprint spec) {
        return Header.forNewMap(spec, DATA);
    }

    @Override
    public MapRegion createShm(Blueprint spec, Header header) {
        return ShmMapFile.create(spec.name(), spec.file(), header, spec.mode(), ShmMapFile::inlineData, () -> {});
    }

    @Override
    public MapRegion createBpf(Blueprint spec, Header header) {
        return BpfArrays.create(spec, header);
    }

    @Override
    public MapRegion openShm(Blueprint spec, boolean readOnly) {
        return ShmMapFile.open(spec.name(), spec.file(), readOnly, spec.openTimeout(), Geometries.of(this),
                ShmMapFile::inlineData, () -> {});
    }

    @Override
    public MapRegion openBpf(Blueprint spec, boolean readOnly) {
        return BpfArrays.open(spec, readOnly);
    }

    @Override
    public MapRegion region(MapRegion opened) {
        return opened;
    }

    @Override
    public void close(MapRegion opened) {
        opened.close();
    }
}
