package dev.mapsync.internal.store;

import dev.mapsync.Schema;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What differs between the schema a map stores and the one a spec asks for, field by field, in words: the message of
 * an {@link dev.mapsync.IncompatibleMapException} names it (a record that gained a field says which field, not only
 * that the sizes differ).
 */
final class SchemaDiff {
    private SchemaDiff() {}

    /**
     * The differences of two struct schemas, such as {@code the spec adds created:i64; balance is i32 in the map and
     * i64 in the spec}, or "" when either is not a struct or the stored text does not parse.
     */
    static String describe(String stored, Schema asked) {
        Schema file;
        try {
            file = Schema.parse(stored);
        } catch (RuntimeException e) {
            return "";
        }
        if (file.kind() != Schema.Kind.STRUCT || asked.kind() != Schema.Kind.STRUCT) return "";
        Map<String, Schema> mine = fields(file), theirs = fields(asked);
        List<String> said = new ArrayList<>();
        List<String> added = new ArrayList<>(), dropped = new ArrayList<>(), changed = new ArrayList<>();
        theirs.forEach((name, type) -> {
            Schema had = mine.get(name);
            if (had == null) added.add(name + ":" + type);
            else if (!had.equals(type)) changed.add(name + " is " + had + " in the map and " + type + " in the spec");
        });
        mine.forEach((name, type) -> {
            if (!theirs.containsKey(name)) dropped.add(name + ":" + type);
        });
        if (!added.isEmpty()) said.add("the spec adds " + String.join(", ", added));
        if (!dropped.isEmpty()) said.add("the spec lacks " + String.join(", ", dropped));
        said.addAll(changed);
        if (said.isEmpty() && !List.copyOf(mine.keySet()).equals(List.copyOf(theirs.keySet()))) {
            said.add("the same fields in another order");
        }
        return String.join("; ", said);
    }

    private static Map<String, Schema> fields(Schema struct) {
        Map<String, Schema> byName = new LinkedHashMap<>();
        for (Schema.Field f : struct.fields()) byName.put(f.name(), f.type());
        return byName;
    }
}
