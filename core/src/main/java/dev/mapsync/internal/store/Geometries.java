package dev.mapsync.internal.store;

import dev.mapsync.MapType;

/**
 * The {@link Geometry} to check a header of each map type with, or null for none: an opener checks its own type's
 * (a header of another type is refused by its type), a reader of any map every type's.
 */
@FunctionalInterface
public interface Geometries {
    Geometry of(MapType type);

    /** No type's rules: only the common checks (enough to find a map's backend, or to delete it). */
    Geometries COMMON = type -> null;

    /** The rules of {@code kind}'s type only. */
    static Geometries of(MapKind<?> kind) {
        return type -> type == kind.type() ? kind : null;
    }
}
