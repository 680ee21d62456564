package dev.mapsync;

import dev.mapsync.internal.ring.RingLayout;
import dev.mapsync.internal.store.Header;
import dev.mapsync.internal.store.Limits;

import java.util.Objects;

/** What the specs of every kind check of their arguments when they are made, before any map is. */
final class SpecRules {
    private SpecRules() {}

    static int checkEntries(int entries) {
        if (entries < 1) throw new IllegalArgumentException("entries must be at least 1, not " + entries);
        return entries;
    }

    static int checkCapacity(int capacity) {
        String problem = RingLayout.capacityProblem(capacity);
        if (problem != null) throw new IllegalArgumentException(problem);
        return capacity;
    }

    /**
     * Refuses values, or so many of them, as no map may hold, when the spec is made rather than when a map is:
     * in long arithmetic, since a value near 2^31 bytes has a stride no int holds.
     */
    static <V> Codec<V> checkFits(String name, Codec<V> codec, int entries) {
        Objects.requireNonNull(codec, "codec");
        String problem = Limits.sizeProblem("value", codec.size());
        if (problem == null) problem = Limits.lengthProblem(Header.stride(codec.size()) * entries);
        if (problem == null) problem = Limits.schemaTextProblem("", codec.schema().toString());
        if (problem != null) throw new IllegalArgumentException("map '" + name + "': " + problem);
        return codec;
    }

    static int checkStripes(int stripes) {
        if (stripes < 1) throw new IllegalArgumentException("lock stripes must be at least 1, not " + stripes);
        return stripes;
    }

    static int checkChangelog(int capacity) {
        if (capacity < 16 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("changelog capacity must be a power of two of at least 16, not " + capacity);
        }
        return capacity;
    }
}
