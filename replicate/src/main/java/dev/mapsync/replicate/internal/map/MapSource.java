package dev.mapsync.replicate.internal.map;

import dev.mapsync.Change;
import dev.mapsync.ChangeCursor;
import dev.mapsync.ChangeEvent;
import dev.mapsync.KeyChange;
import dev.mapsync.KeyChangeCursor;
import dev.mapsync.KeyChangeEvent;
import dev.mapsync.MapInfo;
import dev.mapsync.MapLocation;
import dev.mapsync.MapType;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedHashMap;
import dev.mapsync.SharedMap;
import dev.mapsync.SharedMaps;
import dev.mapsync.replicate.internal.wire.Message;
import dev.mapsync.replicate.internal.wire.Shape;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The leader's side of a replicated map: its changes as they come (through the map's change log), and each changed
 * entry's value as it is when read, as messages. A change is sent as the entry's current value, not as what the
 * change wrote: a later change of the same entry is then never undone by an earlier one, and reading again what was
 * already sent is harmless. Used by one thread.
 */
public abstract sealed class MapSource implements AutoCloseable permits MapSource.ArraySource, MapSource.HashSource {
    final Shape shape;

    private MapSource(Shape shape) {
        this.shape = shape;
    }

    /**
     * Opens the array or hash map at {@code at} (read-write: subscribing registers in the map) and subscribes to its
     * changes.
     *
     * @throws IllegalArgumentException for a map of another kind
     */
    public static MapSource open(MapLocation at) {
        MapInfo info = SharedMaps.info(at);
        String kernelMap = info.details().getOrDefault("kernel map", "").toLowerCase(java.util.Locale.ROOT);
        if (kernelMap.contains("percpu")) {
            throw new IllegalArgumentException("map '" + info.name() + "' is a per-CPU kernel map; its per-CPU values"
                    + " are not replicated (replicate a map of their sums instead)");
        }
        if (kernelMap.contains("lru")) {
            throw new IllegalArgumentException("map '" + info.name() + "' is an LRU kernel map; the kernel evicts"
                    + " its keys without a change to send, so a replica would keep them and fill up (replicate a map"
                    + " that is not LRU)");
        }
        if (info.type() == MapType.ARRAY) {
            return new ArraySource(SharedArray.open(Specs.array(at, info.valueSchema(), info.entries())),
                    Specs.shapeOf(info, false, info.lockStripes()));
        }
        if (info.type() == MapType.HASH) {
            return new HashSource(SharedHashMap.open(Specs.hash(at, info.keySchema(), info.valueSchema(), info.entries())),
                    Specs.shapeOf(info, true, info.lockStripes()));
        }
        throw new IllegalArgumentException("map '" + info.name() + "' is a " + info.type().name().toLowerCase(java.util.Locale.ROOT)
                + " map; only arrays and hash maps are replicated");
    }

    /** {@return the map's shape, which a snapshot's beginning carries} */
    public Shape shape() {
        return shape;
    }

    /**
     * Waits up to {@code wait} for changes and adds the changed keys to {@code keys}, in order.
     *
     * @return true if the change log overwrote changes this source had not read: only a snapshot makes up for them
     */
    public abstract boolean poll(Duration wait, List<Object> keys);

    /** Writes the message that gives {@code key}'s current state: its entry, or (hash maps) its absence. */
    public abstract int encodeCurrent(Object key, MutableDirectBuffer b, long seq, long epoch, long now);

    /** Starts reading the whole map again, for a snapshot. */
    public abstract void startSnapshot();

    /** Writes the snapshot's next entry; returns its length, or -1 once every entry was sent. */
    public abstract int encodeNextSnapshot(MutableDirectBuffer b, long seq, long epoch, long now);

    /** Ends the subscription and closes the map's handle. */
    @Override
    public abstract void close();

    /**
     * Subscribes to {@code map}'s changes; a map whose subscription fails is closed (the source owns it either way).
     */
    static <C> C subscribe(SharedMap map, Supplier<C> changes) {
        try {
            return changes.get();
        } catch (RuntimeException e) {
            map.close();
            throw e;
        }
    }

    static int entry(MutableDirectBuffer b, byte[] key, byte[] value, long seq, long epoch, long now) {
        int at = Message.header(b, Message.ENTRY, key.length, seq, epoch, now);
        b.putBytes(at, key);
        b.putBytes(at + key.length, value);
        return at + key.length + value.length;
    }

    /** An array's entry: its key is the index, 4 bytes little-endian, written in place. */
    static int entry(MutableDirectBuffer b, int index, byte[] value, long seq, long epoch, long now) {
        int at = Message.header(b, Message.ENTRY, Integer.BYTES, seq, epoch, now);
        b.putInt(at, index, ByteOrder.LITTLE_ENDIAN);
        b.putBytes(at + Integer.BYTES, value);
        return at + Integer.BYTES + value.length;
    }

    static final class ArraySource extends MapSource {
        private final SharedArray<byte[]> array;
        private final ChangeCursor cursor;
        private int next = -1;

        ArraySource(SharedArray<byte[]> array, Shape shape) {
            super(shape);
            this.array = array;
            this.cursor = subscribe(array, array::changes);
        }

        @Override
        public boolean poll(Duration wait, List<Object> keys) {
            boolean missed = false;
            for (ChangeEvent e : cursor.poll(wait)) {
                if (e instanceof Change c) keys.add(c.key());
                else missed = true;
            }
            return missed;
        }

        @Override
        public int encodeCurrent(Object key, MutableDirectBuffer b, long seq, long epoch, long now) {
            int i = (Integer) key;
            return entry(b, i, array.get(i), seq, epoch, now);
        }

        @Override
        public void startSnapshot() {
            next = 0;
        }

        @Override
        public int encodeNextSnapshot(MutableDirectBuffer b, long seq, long epoch, long now) {
            if (next < 0 || next >= array.length()) return -1;
            int i = next++;
            return entry(b, i, array.get(i), seq, epoch, now);
        }

        @Override
        public void close() {
            try (array) {
                cursor.close();
            }
        }
    }

    static final class HashSource extends MapSource {
        private final SharedHashMap<byte[], byte[]> map;
        private final KeyChangeCursor<byte[]> cursor;
        private Iterator<Map.Entry<byte[], byte[]>> snapshot;

        HashSource(SharedHashMap<byte[], byte[]> map, Shape shape) {
            super(shape);
            this.map = map;
            this.cursor = subscribe(map, map::changes);
        }

        @Override
        public boolean poll(Duration wait, List<Object> keys) {
            boolean missed = false;
            for (KeyChangeEvent<byte[]> e : cursor.poll(wait)) {
                if (e instanceof KeyChange<byte[]> c) keys.add(c.key());
                else missed = true;
            }
            return missed;
        }

        @Override
        public int encodeCurrent(Object key, MutableDirectBuffer b, long seq, long epoch, long now) {
            byte[] k = (byte[]) key;
            byte[] v = map.get(k);
            if (v != null) return entry(b, k, v, seq, epoch, now);
            int at = Message.header(b, Message.ABSENT, k.length, seq, epoch, now);
            b.putBytes(at, k);
            return at + k.length;
        }

        @Override
        public void startSnapshot() {
            snapshot = map.iterator();
        }

        @Override
        public int encodeNextSnapshot(MutableDirectBuffer b, long seq, long epoch, long now) {
            if (snapshot == null || !snapshot.hasNext()) return -1;
            Map.Entry<byte[], byte[]> e = snapshot.next();
            return entry(b, e.getKey(), e.getValue(), seq, epoch, now);
        }

        @Override
        public void close() {
            try (map) {
                cursor.close();
            }
        }
    }
}
