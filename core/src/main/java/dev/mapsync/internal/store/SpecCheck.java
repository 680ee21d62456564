package dev.mapsync.internal.store;

import dev.mapsync.Backend;
import dev.mapsync.IncompatibleMapException;

import dev.mapsync.MapType;
import dev.mapsync.Schema;

/** Compares an existing map's header with the spec it is opened with, field by field. */
public final class SpecCheck {
    private SpecCheck() {}

    /**
     * Checks a map opened by a handle of {@code handleType}: a file of another type is refused whatever the spec,
     * so that no handle reads a map as something it is not.
     *
     * @throws IncompatibleMapException naming the first field that differs, such as {@code value schema: file has
     *                                  'id:i64', spec asks 'id:i64,created:i64' (the spec adds created:i64)}, and
     *                                  how to go on
     */
    public static void check(Header header, Blueprint spec, MapType handleType) {
        String name = spec.name();
        checkType(name, header, handleType);
        Backend fileBackend = header.storage();
        // a spec that adopts a map by name takes whichever backend the map has
        boolean anyBackend = spec.adoptsExisting() && spec.pinPath().isEmpty();
        if (fileBackend != spec.backend() && !anyBackend) {
            throw new IncompatibleMapException(name, "backend", lower(fileBackend), lower(spec.backend()));
        }
        if (spec.replica() && !header.replica()) {
            // a follower must never overwrite a map of this host that happens to have its leader's name
            throw new IncompatibleMapException("map '" + name + "' is a map of this host, not a read replica: a follower"
                    + " does not overwrite it (delete it with mapsync rm, or follow the leader into another name)", "role");
        }
        if (spec.adoptsExisting()) return;
        switch (handleType) {
            case ARRAY, HASH -> checkKeyed(header, spec);
            case RING -> checkRing(header, spec);
            case BARRIER -> {
                if (header.entries() != spec.entries()) {
                    throw new IncompatibleMapException(name, "parties", header.entries(), spec.entries());
                }
            }
            case COUNTER -> {
                if (header.entries() != spec.entries()) {
                    throw new IncompatibleMapException(name, "count", header.entries(), spec.entries());
                }
            }
        }
    }

    /**
     * @throws IncompatibleMapException if the map is not of the type the handle opens, saying which class opens it
     */
    public static void checkType(String name, Header header, MapType handleType) {
        MapType fileType = MapType.ofCode(header.type());
        if (fileType != handleType) {
            throw new IncompatibleMapException("map '" + name + "' is " + article(fileType) + " map, not " + article(handleType)
                    + " map; open it with " + handle(fileType), "map type");
        }
    }

    /**
     * Refuses a spec made for another type of map than the handle's, such as a ring spec given to
     * {@code SharedArray}: a mistake in the program, not in the map.
     *
     * @throws IllegalArgumentException naming the handle that takes the spec
     */
    public static void requireType(Blueprint spec, MapType handleType) {
        if (spec.type() == null || spec.type() == handleType) return;
        String handle = spec.type() == MapType.RING
                ? spec.codec() == null ? "SharedRing" : "SharedQueue (or SharedRing)" : handle(spec.type());
        throw new IllegalArgumentException("the spec of " + spec + " is not one of " + article(handleType) + "; open it with "
                + handle);
    }

    private static String handle(MapType type) {
        return switch (type) {
            case ARRAY -> "SharedArray";
            case HASH -> "SharedHashMap";
            case RING -> "SharedRing (or SharedQueue)";
            case BARRIER -> "SharedBarrier";
            case COUNTER -> "SharedCounters";
        };
    }

    /** Arrays and hash maps: keys, values, entries, stripes. */
    private static void checkKeyed(Header header, Blueprint spec) {
        String name = spec.name();
        checkSchema(name, "key", header.keySchema(), header.keySize(), spec.keySchema());
        checkSchema(name, "value", header.valueSchema(), header.valueSize(), spec.valueSchema());
        if (spec.entries() != 0 && header.entries() != spec.entries()) {
            throw new IncompatibleMapException(name, "entries", header.entries(), spec.entries());
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
     * Refuses a stored key or value schema other than the spec's, with both schemas, their sizes when they differ,
     * and the fields that differ (a record that gained a field says which).
     */
    private static void checkSchema(String name, String what, String stored, int storedSize, Schema asked) {
        if (stored.equals(asked.toString()) && storedSize == asked.size()) return;
        String sizes = storedSize == asked.size() ? "" : ", " + storedSize + " bytes";
        String askedSizes = storedSize == asked.size() ? "" : ", " + asked.size() + " bytes";
        String diff = SchemaDiff.describe(stored, asked);
        throw new IncompatibleMapException(name, what + " schema", "'" + stored + "'" + sizes,
                "'" + asked + "'" + askedSizes + (diff.isEmpty() ? "" : " (" + diff + ")"));
    }

    /** A ring spec of records of any length opens any ring; a queue spec needs its own value schema. */
    private static void checkRing(Header header, Blueprint spec) {
        String name = spec.name();
        if (spec.entries() != 0 && header.entries() != spec.entries()) {
            throw new IncompatibleMapException(name, "capacity", ringSize(header.entries(), spec),
                    ringSize(spec.entries(), spec));
        }
        if (spec.valueSchema() != null && !header.valueSchema().equals(spec.valueSchema().toString())) {
            throw new IncompatibleMapException(name, "value schema",
                    header.valueSchema().isEmpty() ? "records of any length" : "'" + header.valueSchema() + "'",
                    "'" + spec.valueSchema() + "'");
        }
    }

    /** A ring's bytes, and for a queue's spec the values they hold, since a queue is sized in values. */
    private static String ringSize(long bytes, Blueprint spec) {
        if (spec.valueSchema() == null) return bytes + " bytes";
        long record = (spec.valueSchema().size() + 8 + 7) & ~7L; // an 8-byte header, rounded up to 8 (FORMAT.md §7)
        return bytes + " bytes (" + bytes / record + " values)";
    }

    private static String article(MapType t) {
        String s = String.valueOf(t);
        return ("aeiou".indexOf(s.charAt(0)) >= 0 ? "an " : "a ") + s;
    }

    private static String lower(Backend b) {
        return b.name().toLowerCase(java.util.Locale.ROOT);
    }
}
