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

/** What {@link TopView} looks at: an array's entries (a range of them) or a hash map's keys. */
public interface TopSource {
    /** The first line's description, such as {@code shm, 8 x i64} or {@code shm, hash map of char[8] -> i64, 3 keys}. */
    String describe();

    /** The values' schema. */
    Schema schema();

    /** Every entry now, in the order of its keys: the key's text to its value. */
    Map<String, Object> entries();

    SyncStatus status();

    List<LockInfo> locks();

    /** What one lock guards, by its stripe: {@code stripe 3}, {@code segment 3}. */
    String lockName(int stripe);

    /** Entries {@code from} to {@code to} of {@code map}. */
    static TopSource of(SharedArray<Object> map, int from, int to) {
        return new TopSource() {
            public String describe() {
                return map.backend().name().toLowerCase(Locale.ROOT) + ", " + map.length() + " x " + schema();
            }

            public Schema schema() {
                return map.codec().schema();
            }

            public Map<String, Object> entries() {
                Map<String, Object> out = new LinkedHashMap<>();
                for (int i = from; i <= to; i++) out.put(Integer.toString(i), map.get(i));
                return out;
            }

            public SyncStatus status() {
                return map.syncStatus();
            }

            public List<LockInfo> locks() {
                return map.locks();
            }

            public String lockName(int stripe) {
                return "stripe " + stripe;
            }
        };
    }

    /** Every key of {@code map}, in the order iteration gives them. */
    static TopSource of(SharedHashMap<Object, Object> map) {
        Schema keys = map.keyCodec().schema();
        return new TopSource() {
            public String describe() {
                return map.backend().name().toLowerCase(Locale.ROOT) + ", hash map of " + keys + " -> " + schema() + ", "
                        + map.size() + " keys";
            }

            public Schema schema() {
                return map.valueCodec().schema();
            }

            public Map<String, Object> entries() {
                Map<String, Object> out = new LinkedHashMap<>();
                for (Map.Entry<Object, Object> e : map) out.put(ValueText.format(keys, e.getKey()), e.getValue());
                return out;
            }

            public SyncStatus status() {
                return map.syncStatus();
            }

            public List<LockInfo> locks() {
                return map.locks();
            }

            public String lockName(int stripe) {
                return "segment " + stripe;
            }
        };
    }
}
