package dev.mapsync.internal;

import dev.mapsync.Backend;
import dev.mapsync.IncompatibleMapException;
import dev.mapsync.MapSpec;
import dev.mapsync.MapType;
import dev.mapsync.internal.layout.Header;

/** Compares an existing map's header with the spec it is opened with, field by field. */
public final class SpecCheck {
    private SpecCheck() {}

    /**
     * @param expected the type the caller opens (a spec that adopts a map knows no type of its own)
     * @throws IncompatibleMapException naming the first field that differs, such as
     *                                  {@code value size: file has 24, spec asks 16}
     */
    public static void check(Header header, MapSpec<?> spec, MapType expected) {
        String name = spec.name();
        checkType(name, header, expected);
        MapType fileType = MapType.ofCode(header.type());
        Backend fileBackend = header.backend() == Header.BACKEND_BPF ? Backend.BPF : Backend.SHM;
        // a spec that adopts a map by name takes whichever backend the map has
        boolean anyBackend = spec.adoptsExisting() && spec.pinPath().isEmpty();
        if (fileBackend != spec.backend() && !anyBackend) {
            throw new IncompatibleMapException(name, "backend", lower(fileBackend), lower(spec.backend()));
        }
        if (spec.adoptsExisting()) return;
        if (fileType != spec.type()) throw new IncompatibleMapException(name, "map type", fileType, spec.type());
        if (header.keySize() != spec.keySchema().size()) {
            throw new IncompatibleMapException(name, "key size", header.keySize(), spec.keySchema().size());
        }
        if (!header.keySchema().equals(spec.keySchema().toString())) {
            throw new IncompatibleMapException(name, "key schema", "'" + header.keySchema() + "'", "'" + spec.keySchema() + "'");
        }
        if (header.valueSize() != spec.valueSchema().size()) {
            throw new IncompatibleMapException(name, "value size", header.valueSize(), spec.valueSchema().size());
        }
        if (spec.entries() != 0 && header.entries() != spec.entries()) {
            throw new IncompatibleMapException(name, "entries", header.entries(), spec.entries());
        }
        if (!header.valueSchema().equals(spec.valueSchema().toString())) {
            throw new IncompatibleMapException(name, "value schema", "'" + header.valueSchema() + "'",
                    "'" + spec.valueSchema() + "'");
        }
        if (spec.hasExplicitLockStripes() && header.lockStripes() != spec.lockStripes()) {
            throw new IncompatibleMapException(name, "lock stripes", header.lockStripes(), spec.lockStripes());
        }
        if (spec.hasExplicitChangelogCapacity() && header.changelogCapacity() != spec.changelogCapacity()) {
            throw new IncompatibleMapException(name, "changelog capacity", header.changelogCapacity(),
                    spec.changelogCapacity());
        }
    }

    /**
     * @throws IncompatibleMapException if the map is not of the type the caller opens, saying which class opens it
     */
    public static void checkType(String name, Header header, MapType expected) {
        MapType fileType = MapType.ofCode(header.type());
        if (fileType != expected) {
            throw new IncompatibleMapException("map '" + name + "' is " + article(fileType) + " map, not " + article(expected)
                    + " map; open it with " + (fileType == MapType.HASH ? "SharedHashMap" : fileType == MapType.ARRAY
                    ? "SharedArray" : "the class for " + fileType + " maps"), "map type");
        }
    }

    private static String article(MapType t) {
        String s = String.valueOf(t);
        return ("aeiou".indexOf(s.charAt(0)) >= 0 ? "an " : "a ") + s;
    }

    private static String lower(Backend b) {
        return b.name().toLowerCase(java.util.Locale.ROOT);
    }
}
