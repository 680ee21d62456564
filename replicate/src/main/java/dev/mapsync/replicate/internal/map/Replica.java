package dev.mapsync.replicate.internal.map;

import dev.mapsync.MapFullException;
import dev.mapsync.MapLocation;
import dev.mapsync.MapNotFoundException;
import dev.mapsync.Schema;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedHashMap;
import dev.mapsync.replicate.internal.wire.CorruptMessageException;
import dev.mapsync.replicate.internal.wire.Message;
import dev.mapsync.replicate.internal.wire.Shape;
import org.agrona.DirectBuffer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The follower's side of a replicated map: the local replica, written through the one handle that may write it
 * ({@link MapLocation#replica()}), so that local readers see each entry change whole and their subscriptions see
 * every change. During a snapshot it remembers which keys the leader sent (in the snapshot or as changes since its
 * beginning): at the end, the keys of a hash map that the leader did not send are gone on the leader, and go here.
 * Used by one thread.
 */
public abstract sealed class Replica implements AutoCloseable permits Replica.ArrayReplica, Replica.HashReplica {
    final Shape shape;
    private boolean inSnapshot;

    private Replica(Shape shape) {
        this.shape = shape;
    }

    /**
     * Opens the replica at {@code at}, making it with the leader's shape if there is none.
     *
     * @throws dev.mapsync.IncompatibleMapException if a map there has another shape, or is not a replica
     */
    public static Replica openOrCreate(MapLocation at, Shape shape) {
        MapLocation replica = at.replica();
        Schema value = Schema.parse(shape.valueSchema());
        if (shape.hash()) {
            var spec = Specs.hash(replica, Schema.parse(shape.keySchema()), value, shape.entries())
                    .segments(shape.stripes()).changelogCapacity(shape.changelogCapacity());
            return new HashReplica(openOrCreate(() -> SharedHashMap.open(spec), () -> SharedHashMap.create(spec)), shape);
        }
        var spec = Specs.array(replica, value, shape.entries()).lockStripes(shape.stripes())
                .changelogCapacity(shape.changelogCapacity());
        return new ArrayReplica(openOrCreate(() -> SharedArray.open(spec), () -> SharedArray.create(spec)), shape);
    }

    /**
     * Opens the replica at {@code at} with its own shape, to resume following its leader.
     *
     * @return the replica, or null if there is none
     */
    public static Replica openExisting(MapLocation at) {
        dev.mapsync.MapInfo info;
        try {
            info = dev.mapsync.SharedMaps.info(at);
        } catch (MapNotFoundException none) {
            return null;
        }
        boolean hash = info.type() == dev.mapsync.MapType.HASH;
        return openOrCreate(at, Specs.shapeOf(info, hash, info.lockStripes()));
    }

    private static <T> T openOrCreate(java.util.function.Supplier<T> open, java.util.function.Supplier<T> create) {
        try {
            return open.get();
        } catch (MapNotFoundException none) {
            return create.get();
        }
    }

    /** {@return the leader's shape this replica was made with} */
    public Shape shape() {
        return shape;
    }

    /**
     * Applies an entry or an absent key.
     *
     * @throws CorruptMessageException if the message's key or value does not fit the replica (nothing is written)
     */
    public abstract void apply(DirectBuffer b, Message.Header h);

    /** A snapshot begins: from now on, remember the keys the leader sends. */
    public void beginSnapshot() {
        inSnapshot = true;
        forgetSent();
    }

    /**
     * The snapshot ends: removes what the leader no longer has.
     *
     * @return how many keys were removed
     */
    public int endSnapshot() {
        if (!inSnapshot) return 0;
        inSnapshot = false;
        return removeUnsent();
    }

    /** {@return true between a snapshot's beginning and its end} */
    public boolean inSnapshot() {
        return inSnapshot;
    }

    abstract void forgetSent();

    /** {@return how many keys of the snapshot in progress it remembers (none for an array); throws nothing} */
    public int keysRemembered() {
        return 0;
    }

    /** Closes the replica's handle; the replica stays. */
    @Override
    public abstract void close();

    abstract int removeUnsent();

    static byte[] bytes(DirectBuffer b, int at, int length) {
        byte[] out = new byte[length];
        b.getBytes(at, out);
        return out;
    }

    static final class ArrayReplica extends Replica {
        private final SharedArray<byte[]> array;
        private final int valueSize;

        ArrayReplica(SharedArray<byte[]> array, Shape shape) {
            super(shape);
            this.array = array;
            this.valueSize = array.codec().size();
        }

        @Override
        public void apply(DirectBuffer b, Message.Header h) {
            if (h.type() != Message.ENTRY) throw new CorruptMessageException("an array has no absent keys");
            if (h.keyLength() != 4 || h.valueLength() != valueSize) {
                throw new CorruptMessageException("an entry of " + h.keyLength() + " + " + h.valueLength()
                        + " bytes for an array of " + valueSize + "-byte values");
            }
            int index = b.getInt(h.body(), java.nio.ByteOrder.LITTLE_ENDIAN);
            if (index < 0 || index >= array.length()) {
                throw new CorruptMessageException("entry " + index + " of an array of " + array.length());
            }
            array.set(index, bytes(b, h.body() + 4, valueSize));
        }

        @Override
        void forgetSent() {
            // a snapshot sends every index: nothing to remove at its end
        }

        @Override
        int removeUnsent() {
            return 0;
        }

        @Override
        public void close() {
            array.close();
        }
    }

    static final class HashReplica extends Replica {
        private final SharedHashMap<byte[], byte[]> map;
        private final int keySize, valueSize;
        private final Set<ByteBuffer> sent = new HashSet<>();

        HashReplica(SharedHashMap<byte[], byte[]> map, Shape shape) {
            super(shape);
            this.map = map;
            this.keySize = map.keyCodec().size();
            this.valueSize = map.valueCodec().size();
        }

        @Override
        public void apply(DirectBuffer b, Message.Header h) {
            if (h.keyLength() != keySize) {
                throw new CorruptMessageException("a key of " + h.keyLength() + " bytes for a map of " + keySize + "-byte keys");
            }
            byte[] key = bytes(b, h.body(), keySize);
            if (h.type() == Message.ENTRY) {
                if (h.valueLength() != valueSize) {
                    throw new CorruptMessageException("a value of " + h.valueLength() + " bytes for a map of " + valueSize
                            + "-byte values");
                }
                byte[] value = bytes(b, h.body() + keySize, valueSize);
                try {
                    map.set(key, value);
                } catch (MapFullException full) {
                    if (!inSnapshot()) throw full;
                    // the replica still holds keys the leader dropped while this follower was away: the snapshot's
                    // end would remove them, but the leader's new keys need their room now
                    removeUnsentSoFar();
                    map.set(key, value);
                }
            } else {
                // an absent key is its key alone: bytes after it are of no message a leader sends
                if (h.valueLength() != 0) {
                    throw new CorruptMessageException("an absent key of " + keySize + " + " + h.valueLength()
                            + " bytes for a map of " + keySize + "-byte keys");
                }
                map.remove(key);
                // the snapshot's end removes only keys the replica holds: one absent now needs no remembering, and
                // remembering it would let a stream of absent keys, which the map never bounds, fill the heap
                sent.remove(ByteBuffer.wrap(key));
                return;
            }
            if (inSnapshot()) sent.add(ByteBuffer.wrap(key));
        }

        @Override
        void forgetSent() {
            sent.clear();
        }

        @Override
        public int keysRemembered() {
            return sent.size();
        }

        @Override
        int removeUnsent() {
            int removed = removeUnsentSoFar();
            sent.clear();
            return removed;
        }

        /** Removes the keys not sent since the snapshot began; a key the leader still has comes back when sent. */
        private int removeUnsentSoFar() {
            List<byte[]> gone = new ArrayList<>();
            map.forEach((k, v) -> {
                if (!sent.contains(ByteBuffer.wrap(k))) gone.add(k);
            });
            for (byte[] k : gone) map.remove(k);
            return gone.size();
        }

        @Override
        public void close() {
            map.close();
        }
    }
}
