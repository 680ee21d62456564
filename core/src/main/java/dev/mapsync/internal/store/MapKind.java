package dev.mapsync.internal.store;

import dev.mapsync.MapType;

/**
 * One kind of map as the {@link Opener} sees it: the rules of its headers ({@link Geometry}), how a new one's header
 * is made, and how its storage is made and opened on each backend. One stateless instance per kind.
 *
 * @param <R> what an opened map of this kind is held by (a {@link MapRegion}, or a ring's region)
 */
public abstract class MapKind<R> implements Geometry {
    private final MapType type;
    private final String noun;
    private final String creatingNeeds;

    /**
     * @param noun          how messages call a map of this kind: {@code map}, {@code ring}, {@code barrier}
     * @param creatingNeeds what a blueprint must give to create one, for the message when it gives none
     */
    protected MapKind(MapType type, String noun, String creatingNeeds) {
        this.type = type;
        this.noun = noun;
        this.creatingNeeds = creatingNeeds;
    }

    public final MapType type() {
        return type;
    }

    final String noun() {
        return noun;
    }

    final String creatingNeeds() {
        return creatingNeeds;
    }

    /**
     * The header of a new map.
     *
     * @throws IllegalArgumentException if the blueprint asks for what this kind or its backend cannot be
     */
    public abstract Header newHeader(Blueprint spec);

    public abstract R createShm(Blueprint spec, Header header);

    public abstract R createBpf(Blueprint spec, Header header);

    public abstract R openShm(Blueprint spec, boolean readOnly);

    public abstract R openBpf(Blueprint spec, boolean readOnly);

    /** The region of an opened map, whose header the opener checks against the blueprint. */
    public abstract MapRegion region(R opened);

    /** Checks what only an opened map shows (a hash map's table header, say); nothing by default. */
    public void checkOpened(R opened, Blueprint spec) {}

    public abstract void close(R opened);

    /** A kind whose opened maps are held by their {@link MapRegion} itself. */
    public abstract static class OfRegion extends MapKind<MapRegion> {
        protected OfRegion(MapType type, String noun, String creatingNeeds) {
            super(type, noun, creatingNeeds);
        }

        @Override
        public final MapRegion region(MapRegion opened) {
            return opened;
        }

        @Override
        public final void close(MapRegion opened) {
            opened.close();
        }
    }

    /**
     * Kinds that live in shared memory only (counter maps, barriers): a file in the folder, mapped whole, and the bpf
     * backend refused with the reason the kind gives.
     */
    public abstract static class ShmOnly extends OfRegion {
        private final ShmMapFile.DataMapper dataOf;
        private final String whyShmOnly;

        /**
         * @param dataOf     the data region, given the mapping of the file
         * @param whyShmOnly the message of the refusal of the bpf backend
         */
        protected ShmOnly(MapType type, String noun, String creatingNeeds, ShmMapFile.DataMapper dataOf,
                          String whyShmOnly) {
            super(type, noun, creatingNeeds);
            this.dataOf = dataOf;
            this.whyShmOnly = whyShmOnly;
        }

        /** {@return the refusal of the bpf backend}, for specs that refuse it before anything is opened */
        public final IllegalArgumentException bpfRefused() {
            return new IllegalArgumentException(whyShmOnly);
        }

        @Override
        public final MapRegion createShm(Blueprint spec, Header header) {
            return ShmMapFile.create(spec.name(), spec.file(), header, spec.mode(), dataOf, () -> {});
        }

        @Override
        public final MapRegion createBpf(Blueprint spec, Header header) {
            throw bpfRefused();
        }

        @Override
        public final MapRegion openShm(Blueprint spec, boolean readOnly) {
            return ShmMapFile.open(spec.name(), spec.file(), readOnly, spec.openTimeout(), Geometries.of(this), dataOf,
                    () -> {});
        }

        @Override
        public final MapRegion openBpf(Blueprint spec, boolean readOnly) {
            throw bpfRefused();
        }
    }

    /**
     * Arrays and hash maps: keys, values, lock stripes and a changelog in the header, and a data region as long as
     * {@link Header.KeyedData} says for the kind.
     */
    public abstract static class Keyed extends OfRegion {
        private final Header.KeyedData data;

        protected Keyed(MapType type, String creatingNeeds, Header.KeyedData data) {
            super(type, "map", creatingNeeds);
            this.data = data;
        }

        @Override
        public final void checkGeometry(Header h, String where) {
            h.checkKeyedGeometry(where, type(), data);
        }

        @Override
        public final void checkSchema(Header h, String where) {
            Header.checkSchemaSize(h, where);
        }

        @Override
        public Header newHeader(Blueprint spec) {
            return Header.forNewMap(spec, data);
        }

        @Override
        public MapRegion openShm(Blueprint spec, boolean readOnly) {
            return ShmMapFile.open(spec.name(), spec.file(), readOnly, spec.openTimeout(), Geometries.of(this),
                    ShmMapFile::inlineData, () -> {});
        }
    }
}
