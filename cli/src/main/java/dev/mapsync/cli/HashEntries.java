package dev.mapsync.cli;

import dev.mapsync.InvalidValueException;
import dev.mapsync.SharedHashMap;

import java.util.Iterator;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** A whole hash map's entries as the views of a whole map read them: on past those whose bytes are no value. */
public final class HashEntries {
    private HashEntries() {}

    /**
     * Gives each entry of {@code hash} to {@code entry}, and the failure of each whose bytes are no value of its codec
     * to {@code notAValue}, going on after it (the map's iterator has moved past it, and has not kept its key).
     *
     * @throws dev.mapsync.MapSyncException what else stops the iteration
     */
    public static void forEach(SharedHashMap<Object, Object> hash, BiConsumer<Object, Object> entry,
                               Consumer<InvalidValueException> notAValue) {
        Iterator<Map.Entry<Object, Object>> entries = hash.iterator();
        while (true) {
            Map.Entry<Object, Object> e;
            try {
                if (!entries.hasNext()) return;
                e = entries.next();
            } catch (InvalidValueException unreadable) {
                notAValue.accept(unreadable);
                continue;
            }
            entry.accept(e.getKey(), e.getValue());
        }
    }
}
