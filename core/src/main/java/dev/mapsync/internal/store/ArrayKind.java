package dev.mapsync.internal.store;

import dev.mapsync.MapType;
import dev.mapsync.internal.sys.Arch;

/** Array maps: values {@code stride} apart in a page-aligned data region, in the file or the kernel map's mapping. */
public final class ArrayKind extends MapKind.Keyed {
    public static final ArrayKind INSTANCE = new ArrayKind();

    private ArrayKind() {
        super(MapType.ARRAY, "schema or size", (inline, keySize, valueSize, entries, stripes) ->
                Arch.pageAlign(Header.stride(valueSize) * entries));
    }

    @Override
    public Header newHeader(Blueprint spec) {
        if (spec.backend() != dev.mapsync.Backend.BPF && spec.perCpu()) {
            throw new IllegalArgumentException("map '" + spec.name() + "': a value per CPU is a kernel map feature"
                    + " (BPF_MAP_TYPE_PERCPU_ARRAY); use the bpf backend");
        }
        return super.newHeader(spec);
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
    public MapRegion openBpf(Blueprint spec, boolean readOnly) {
        return BpfArrays.open(spec, readOnly);
    }
}
