package dev.mapsync.cli.export;

import dev.mapsync.BarrierStatus;
import dev.mapsync.MapSyncException;
import dev.mapsync.RingStatus;
import dev.mapsync.Schema;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedBarrier;
import dev.mapsync.SharedCounters;
import dev.mapsync.SharedHashMap;
import dev.mapsync.SharedRing;
import dev.mapsync.SyncStatus;
import dev.mapsync.cli.HashEntries;
import dev.mapsync.cli.ValueText;

import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * A map as the exporter reads it at each scrape: an array or a hash map (its entries and its synchronization health),
 * a ring or a queue (its fill, losses and seal), a barrier (its state), or a counter map (its sums). Each reads the handle it was given, which
 * it closes; safe to read from several scraping threads at once, as the handles are.
 */
public sealed interface ExportedMap extends AutoCloseable {
    /** The {@code map} label: the map as the command line named it. */
    String label();

    @Override
    void close();

    /** An array or a hash map: entries whose numeric fields are value series, and the health of locks and changes. */
    sealed interface Keyed extends ExportedMap {
        Schema valueSchema();

        /** True when {@code --keys} chose the entries; false when every entry is exported. */
        boolean selected();

        /** The entries exported now: those chosen, present or not, or every entry of the map. */
        long exportedEntries();

        /**
         * Calls {@code action} with each exported entry's key (as text) and value, each read consistently, and leaves
         * out the entries that cannot be read: torn by a writer that died, a write in progress past the handle's lock
         * timeout, bytes that are no value of the schema, a failed read of a kernel map. A hash map exported whole
         * goes on past entries whose bytes are no value, and stops at the first of the others.
         *
         * @return how many entries it left out
         */
        long forEachEntry(BiConsumer<String, Object> action);

        /** Entry {@code key} (its text {@code text}) of {@code map} to {@code action}; 1 if it could not be read. */
        private static <K> long readInto(Function<K, Object> map, K key, String text,
                                         BiConsumer<String, Object> action) {
            Object value;
            try {
                value = map.apply(key);
            } catch (MapSyncException unreadable) {
                return 1;
            }
            if (value != null) action.accept(text, value);
            return 0;
        }

        /** The number of entries of the map now (hash maps: keys present). */
        long entries();

        /** Locks held, locks of dead owners, torn entries, subscribers, and the change log's last sequence number. */
        SyncStatus status();

        /** The value series the exported entries make now: an upper bound, as a chosen key may be absent. */
        default long series() {
            long fields = NumericFields.count(valueSchema());
            long entries = exportedEntries();
            return fields == 0 ? 0 : entries > Long.MAX_VALUE / fields ? Long.MAX_VALUE : entries * fields;
        }
    }

    /** An array map, its entries {@code keys} (null: all of them), keyed by index. */
    record Array(String label, SharedArray<Object> map, KeySelection keys) implements Keyed {
        public Schema valueSchema() {
            return map.codec().schema();
        }

        public boolean selected() {
            return keys != null;
        }

        public long exportedEntries() {
            return keys == null ? map.length() : keys.count();
        }

        public long forEachEntry(BiConsumer<String, Object> action) {
            long unreadable = 0;
            if (keys == null) {
                for (int key = 0; key < map.length(); key++) {
                    unreadable += Keyed.readInto(map::get, key, Integer.toString(key), action);
                }
                return unreadable;
            }
            for (KeySelection.Range r : keys.ranges()) {
                for (long key = r.from(); key <= r.to(); key++) {
                    unreadable += Keyed.readInto(map::get, (int) key, Long.toString(key), action);
                }
            }
            return unreadable;
        }

        public long entries() {
            return map.length();
        }

        public SyncStatus status() {
            return map.syncStatus();
        }

        public void close() {
            map.close();
        }
    }

    /**
     * A hash map, its keys {@code keys} (null: all keys present), keyed by the text form of its keys (the form
     * {@code mapsync get} takes). A chosen key that is absent makes no series.
     */
    record Hash(String label, SharedHashMap<Object, Object> map, KeySelection keys) implements Keyed {
        public Schema valueSchema() {
            return map.valueCodec().schema();
        }

        public boolean selected() {
            return keys != null;
        }

        public long exportedEntries() {
            return keys == null ? map.size() : keys.count();
        }

        public long forEachEntry(BiConsumer<String, Object> action) {
            Schema schema = map.keyCodec().schema();
            if (keys == null) {
                long[] notValues = {0};
                try {
                    HashEntries.forEach(map, (k, v) -> action.accept(ValueText.format(schema, k), v),
                            notAValue -> notValues[0]++);
                    return notValues[0];
                } catch (MapSyncException cannotGoOn) {
                    return notValues[0] + 1;
                }
            }
            long unreadable = 0;
            for (KeySelection.Range r : keys.ranges()) {
                for (long key = r.from(); key <= r.to(); key++) {
                    unreadable += Keyed.readInto(map::get, key, ValueText.format(schema, key), action);
                    if (key == Long.MAX_VALUE) break; // the last long: key++ would wrap round
                }
            }
            for (Map.Entry<String, Object> e : keys.listed().entrySet()) {
                unreadable += Keyed.readInto(map::get, e.getValue(), e.getKey(), action);
            }
            return unreadable;
        }

        public long entries() {
            return map.size();
        }

        public SyncStatus status() {
            return map.syncStatus();
        }

        public void close() {
            map.close();
        }
    }

    /** A ring, or a queue (opened as the ring its values travel in): read, never produced to or consumed. */
    record Ring(String label, SharedRing ring) implements ExportedMap {
        /** Bytes used and held, records lost to producers that died, and whether it is sealed. */
        public RingStatus status() {
            return ring.status();
        }

        public void close() {
            ring.close();
        }
    }

    /** A counter map: its counters' sums, read, never added to. */
    record Counters(String label, SharedCounters counters) implements ExportedMap {
        /** Every counter's sum, by index. */
        public long[] sums() {
            return counters.sums();
        }

        public void close() {
            counters.close();
        }
    }

    /** A barrier: read, never awaited. */
    record Barrier(String label, SharedBarrier barrier) implements ExportedMap {
        /** Its parties, the parties that arrived, its generation, and whether it is broken. */
        public BarrierStatus status() {
            return barrier.status();
        }

        public void close() {
            barrier.close();
        }
    }
}
