package dev.mapsync.cli;

import dev.mapsync.Schema;
import dev.mapsync.SharedHashMap;
import dev.mapsync.cli.export.KeySelection;
import dev.mapsync.cli.export.KeySelection.Range;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code --keys} of {@code mapsync export}, read for one map. Each {@code --keys} is a comma-separated list: of
 * indexes and ranges {@code A-B} for an array; of keys in their text form for a hash map (the form {@code mapsync
 * get} takes; a string with a comma in it quoted), where an integer key may also be a range {@code A-B}. A struct key
 * has commas of its own ({@code src=10,dst=11}), so each {@code --keys} of a map with struct keys is one key.
 */
final class ExportKeys {
    private ExportKeys() {}

    /**
     * The entries of an array of {@code length} that {@code texts} choose.
     *
     * @throws IllegalArgumentException if an item is not an index or a range within {@code 0..length-1}
     */
    static KeySelection ofArray(List<String> texts, int length) {
        List<Range> ranges = new ArrayList<>();
        for (String text : texts) {
            for (String item : items(text)) {
                int[] r = KeyRange.parse(item, length);
                ranges.add(new Range(r[0], r[1]));
            }
        }
        return new KeySelection(ranges, Map.of());
    }

    /**
     * The keys of {@code map} that {@code texts} choose.
     *
     * @throws dev.mapsync.InvalidValueException if a key is not a key of the map (naming the map)
     * @throws IllegalArgumentException          if a range is backwards or its key type is not an integer
     */
    static KeySelection ofHash(List<String> texts, SharedHashMap<Object, Object> map) {
        Schema schema = map.keyCodec().schema();
        boolean struct = schema.kind() == Schema.Kind.STRUCT;
        boolean integer = schema.kind().isInteger();
        List<Range> ranges = new ArrayList<>();
        Map<String, Object> listed = new LinkedHashMap<>();
        for (String text : texts) {
            for (String item : struct ? List.of(text) : items(text)) {
                int dash = integer ? item.indexOf('-', 1) : -1;
                if (dash > 0) {
                    ranges.add(range(map, item, item.substring(0, dash), item.substring(dash + 1)));
                    continue;
                }
                Object key = MapCommand.key(map, item);
                if (integer && key instanceof Long k) ranges.add(new Range(k, k));
                else listed.put(ValueText.format(schema, key), key); // a u64 past the longs: listed as it is
            }
        }
        return new KeySelection(ranges, listed);
    }

    private static Range range(SharedHashMap<Object, Object> map, String item, String fromText, String toText) {
        Object from = MapCommand.key(map, fromText), to = MapCommand.key(map, toText);
        if (!(from instanceof Long f) || !(to instanceof Long t)) {
            throw new IllegalArgumentException("--keys " + item + ": a range takes keys up to " + Long.MAX_VALUE);
        }
        if (f > t) throw new IllegalArgumentException("--keys " + item + " is not a range A-B with A <= B");
        return new Range(f, t);
    }

    /** The comma-separated items of {@code text}, a comma inside double quotes (a string key's) left alone. */
    static List<String> items(String text) {
        List<String> items = new ArrayList<>();
        StringBuilder item = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && quoted && i + 1 < text.length()) {
                item.append(c).append(text.charAt(++i));
                continue;
            }
            if (c == '"') quoted = !quoted;
            if (c == ',' && !quoted) {
                items.add(item.toString());
                item.setLength(0);
            } else {
                item.append(c);
            }
        }
        items.add(item.toString());
        return items;
    }
}
