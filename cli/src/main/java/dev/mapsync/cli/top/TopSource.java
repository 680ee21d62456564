package dev.mapsync.cli.top;

import dev.mapsync.InvalidValueException;
import dev.mapsync.LockInfo;
import dev.mapsync.Schema;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedHashMap;
import dev.mapsync.SyncStatus;
import dev.mapsync.cli.HashEntries;
import dev.mapsync.cli.ValueText;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What {@link TopView} looks at: an array's entries (a range of them) or a hash map's keys.
 *
 * @param describe what the first line says of the map, such as {@code shm, 8 x i64}
 * @param schema   the values' schema
 * @param entries  every entry now, in the order of its keys: the key's text to its value, or to {@link Unreadable}
 *                 (on a hash map, whose key is not known then, ?1, ?2, ...)
 * @param lockName what a lock guards, {@code stripe} or {@code segment}
 */
public record TopSource(Supplier<String> describe, Schema schema, Supplier<Map<String, Object>> entries,
                        Supplier<SyncStatus> status, Supplier<List<LockInfo>> locks, String lockName) {
    /** Entries {@code from} to {@code to} of {@code map}. */
    public static TopSource of(SharedArray<Object> map, int from, int to) {
        Schema schema = map.codec().schema();
        return new TopSource(() -> backend(map.backend()) + ", " + map.length() + " x " + schema, schema, () -> {
            Map<String, Object> out = new LinkedHashMap<>();
            for (int i = from; i <= to; i++) {
                try {
                    out.put(Integer.toString(i), map.get(i));
                } catch (InvalidValueException e) {
                    out.put(Integer.toString(i), new Unreadable(e.getMessage()));
                }
            }
            return out;
        }, map::syncStatus, map::locks, "stripe");
    }

    /** Every key of {@code map}, in the order iteration gives them. */
    public static TopSource of(SharedHashMap<Object, Object> map) {
        Schema keys = map.keyCodec().schema(), schema = map.valueCodec().schema();
        return new TopSource(() -> backend(map.backend()) + ", hash map of " + keys + " -> " + schema + ", " + map.size()
                + " keys", schema, () -> {
            Map<String, Object> out = new LinkedHashMap<>();
            int[] unreadable = {0};
            // an entry whose value cannot be read has no key to show: ?1, ?2, ...
            HashEntries.forEach(map, (k, v) -> out.put(ValueText.format(keys, k), v),
                    e -> out.put("?" + ++unreadable[0], new Unreadable(e.getMessage())));
            return out;
        }, map::syncStatus, map::locks, "segment");
    }

    /** What {@link #entries} gives for an entry whose bytes are not a value of the schema, and why. */
    public record Unreadable(String reason) {}

    private static String backend(dev.mapsync.Backend backend) {
        return backend.name().toLowerCase(Locale.ROOT);
    }
}
