package dev.mapsync.cli;

import dev.mapsync.LockGuard;
import dev.mapsync.Schema;
import dev.mapsync.SharedHashMap;
import dev.mapsync.internal.sys.Layouts;

import java.lang.foreign.MemorySegment;

/** The integer slot of a hash map's values that add and cas work on: the whole value, or one field of a record. */
final class HashSlot {
    private final SharedHashMap<Object, Object> map;
    private final String field;
    private final Slots slots;
    private final int offset;

    HashSlot(SharedHashMap<Object, Object> map, String field) {
        this.map = map;
        this.field = field;
        Schema schema = map.valueCodec().schema();
        this.slots = new Slots(null, null, Slots.kindOf(schema, field, map.name()));
        this.offset = field == null ? 0 : schema.field(field).orElseThrow().offset();
    }

    Slots slots() {
        return slots;
    }

    /** Adds {@code delta} under the key's lock (inserting the key with zeros when absent); the slot's new value. */
    long addAndGet(Object key, long delta) {
        long previous = field == null ? map.getAndAdd(key, delta) : map.getAndAdd(key, field, delta);
        return slots.plus(previous, delta);
    }

    /**
     * Under the key's lock: the slot's value, replaced by {@code update} if it is {@code expected} (a value that
     * differs is left unwritten, so that watchers see no change).
     *
     * @throws KeyNotFoundException if the key is absent
     */
    long compareAndExchange(Object key, String keyText, long expected, long update) {
        try (LockGuard ignored = map.lock(key)) {
            Object value = MapCommand.read(map, key, keyText);
            if (value == null) throw new KeyNotFoundException(map.name(), keyText);
            MemorySegment bytes = MemorySegment.ofArray(new byte[map.valueCodec().size()]);
            map.valueCodec().write(bytes, 0, value);
            long found = slots.wide() ? bytes.get(Layouts.LONG, offset) : bytes.get(Layouts.INT, offset);
            if (slots.sameBits(found, expected)) {
                if (slots.wide()) bytes.set(Layouts.LONG, offset, update);
                else bytes.set(Layouts.INT, offset, (int) update);
                map.put(key, map.valueCodec().read(bytes, 0));
            }
            return found;
        }
    }
}
