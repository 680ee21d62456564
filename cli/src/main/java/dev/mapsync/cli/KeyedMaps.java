package dev.mapsync.cli;

import dev.mapsync.IncompatibleMapException;
import dev.mapsync.MapLocation;
import dev.mapsync.MapType;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedHashMap;
import dev.mapsync.SharedCounters;
import dev.mapsync.SharedMap;
import dev.mapsync.SharedMaps;

/** Arrays and hash maps, the maps that have keys: what the commands that take both open. */
final class KeyedMaps {
    private KeyedMaps() {}

    /**
     * The map at {@code at}, opened as the handle of its kind: a {@link SharedHashMap} for a hash map, else a
     * {@link SharedArray}, which refuses a map of any other kind in its own words.
     *
     * @throws IncompatibleMapException if the map is a ring, a queue or a barrier
     */
    static SharedMap open(MapLocation at, boolean readOnly) {
        return open(at, readOnly, false);
    }

    /** {@link #open(MapLocation, boolean)}, opening a counter map as {@link SharedCounters} when {@code counters}. */
    static SharedMap open(MapLocation at, boolean readOnly, boolean counters) {
        MapType type = SharedMaps.info(at).type();
        if (type == MapType.HASH) {
            return readOnly ? SharedHashMap.openReadOnly(at) : SharedHashMap.open(at);
        }
        if (type == MapType.COUNTER && counters) {
            return readOnly ? SharedCounters.openReadOnly(at) : SharedCounters.open(at);
        }
        return readOnly ? SharedArray.openReadOnly(at) : SharedArray.open(at);
    }
}
