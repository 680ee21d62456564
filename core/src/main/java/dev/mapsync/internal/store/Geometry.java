package dev.mapsync.internal.store;

/**
 * The rules the header of one map type follows beyond the common ones: how its fields imply the regions of the file,
 * and what its schema text must be. Checked at every read of a header, before anything of the map is mapped by them.
 */
public interface Geometry {
    /** @throws dev.mapsync.CorruptMapException naming the first field that is wrong, after {@code where} */
    void checkGeometry(Header h, String where);

    /** @throws dev.mapsync.CorruptMapException if the schema text does not parse or does not fit the sizes */
    void checkSchema(Header h, String where);
}
