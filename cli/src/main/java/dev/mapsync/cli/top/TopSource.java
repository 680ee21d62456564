package dev.mapsync.cli.top;

import dev.mapsync.LockInfo;
import dev.mapsync.Schema;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedHashMap;
import dev.mapsync.SyncStatus;
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
 * @param entries  every entry now, in the order of its keys: the key's text to its value
 * @param lockName what a lock guards, {@code stripe} or {@code segment}
 */
public record TopSource(Supplier<String> describe, Schema schema, Supplier<Map<String, Object>> entries,
                        Supplier<SyncStatus> status, Supplier<List<LockInfo>> locks, String lockName) {
    /** Entries {@code from} to {@code to} of {@code map}. */
    public static TopSource of(SharedArray<Object> map, int from, int to) {
        Schema schema = map.codec().schema();
        return new TopSource(() -> backend(map.backend()) + ", " + map.length() + " x " + schema, schema, () -> {
            Map<String, Object> out = new LinkedHashMap<>();
            for (int i = from; i <= to; i++) out.put(Integer.toString(i), map.get(i));
            return out;
        }, map::syncStatus, map::locks, "stripe");
    }

    /** Every key of {@code map}, in the order iteration gives them. */
    public static TopSource of(SharedHashMap<Object, Object> map) {
        Schema keys = map.keyCodec().schema(), schema = map.valueCodec().schema();
        return new TopSource(() -> backend(map.backend()) + ", hash map of " + keys + " -> " + schema + ", " + map.size()
                + " keys", schema, () -> {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<Object, Object> e : map) out.put(ValueText.format(keys, e.getKey()), e.getValue());
            return out;
        }, map::syncStatus, map::locks, "segment");
    }

    private static String backend(dev.mapsync.Backend backend) {
        return backend.name().toLowerCase(Locale.ROOT);
    }
}
