package dev.mapsync.cli.export;

import dev.mapsync.LockInfo;
import dev.mapsync.Schema;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedHashMap;
import dev.mapsync.SyncStatus;
import dev.mapsync.cli.ValueText;

import java.util.function.BiConsumer;

/** A map as the exporter reads it at each scrape: its entries by key text, and its synchronization health. */
public sealed interface ExportedMap extends AutoCloseable {
    /** The {@code map} label. */
    String label();

    Schema valueSchema();

    /** Calls {@code action} with each entry's key (as text) and value, each read consistently. */
    void forEachEntry(BiConsumer<String, Object> action);

    /** The number of entries now. */
    long entries();

    /** Locks held, locks of dead owners, torn entries, subscribers, and the change log's last sequence number. */
    SyncStatus status();

    @Override
    void close();

    /** An array map, entries {@code fromKey..toKey}, keyed by index. */
    record Array(String label, SharedArray<Object> map, int fromKey, int toKey) implements ExportedMap {
        public Schema valueSchema() {
            return map.codec().schema();
        }

        public void forEachEntry(BiConsumer<String, Object> action) {
            for (int key = fromKey; key <= toKey; key++) action.accept(Integer.toString(key), map.get(key));
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

    /** A hash map, keyed by the text form of its keys (the form {@code mapsync get} takes). */
    record Hash(String label, SharedHashMap<Object, Object> map) implements ExportedMap {
        public Schema valueSchema() {
            return map.valueCodec().schema();
        }

        public void forEachEntry(BiConsumer<String, Object> action) {
            Schema key = map.keyCodec().schema();
            map.forEach((k, v) -> action.accept(ValueText.format(key, k), v));
        }

        public long entries() {
            return map.size();
        }

        /** Hash maps keep no change-log figures that a reader can see here; their locks are reported. */
        public SyncStatus status() {
            int held = 0, dead = 0;
            for (LockInfo l : map.locks()) {
                if (l.ownerPid() == 0) continue;
                held++;
                if (!l.ownerAlive()) dead++;
            }
            return new SyncStatus(0, 0, 0, held, dead, 0);
        }

        public void close() {
            map.close();
        }
    }
}
