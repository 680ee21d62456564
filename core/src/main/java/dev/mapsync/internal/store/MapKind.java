package dev.mapsync.internal.store;

import dev.mapsync.MapType;

/**
 * One kind of map as the {@link Opener} sees it: how a new one's header is made and an existing one's is checked,
 * and how its storage is made and opened on each backend. One instance per kind, stateless.
 *
 * @param <R> what an opened map of this kind is held by (a {@link MapRegion}, or a ring's region)
 */
public interface MapKind<R> {
    MapType type();

    /** How messages call a map of this kind: {@code map}, {@code ring}, {@code barrier}. */
    String noun();

    /** What a blueprint must give to create a map of this kind, for the message when it gives none. */
    String creatingNeeds();

    /** The rules of this kind's headers. */
    Geometry geometry();

    /**
     * The header of a new map.
     *
     * @throws IllegalArgumentException if the blueprint asks for what this kind or its backend cannot be
     */
    Header newHeader(Blueprint spec);

    R createShm(Blueprint spec, Header header);

    R createBpf(Blueprint spec, Header header);

    R openShm(Blueprint spec, boolean readOnly);

    R openBpf(Blueprint spec, boolean readOnly);

    /** The region of an opened map, whose header the opener checks against the blueprint. */
    MapRegion region(R opened);

    /** Checks what only an opened map shows (a hash map's table header, say); nothing by default. */
    default void checkOpened(R opened, Blueprint spec) {}

    void close(R opened);
}
