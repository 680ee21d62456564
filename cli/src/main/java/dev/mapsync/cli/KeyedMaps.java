package dev.mapsync.cli;

import dev.mapsync.IncompatibleMapException;
import dev.mapsync.MapLocation;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedBarrier;
import dev.mapsync.SharedHashMap;
import dev.mapsync.SharedMap;
import dev.mapsync.SharedMaps;

/** Arrays and hash maps, the maps that have keys: what the commands that take both open. */
final class KeyedMaps {
    private KeyedMaps() {}

    /**
     * The map at {@code at}, opened as the handle of its kind: a {@link SharedArray} or a {@link SharedHashMap}. A map
     * of another kind is closed again and refused as an array handle refuses it.
     *
     * @throws IncompatibleMapException if the map is a ring, a queue or a barrier
     */
    static SharedMap open(MapLocation at, boolean readOnly) {
        SharedMap map = readOnly ? SharedMaps.openReadOnly(at) : SharedMaps.open(at);
        if (map instanceof SharedArray<?> || map instanceof SharedHashMap<?, ?>) return map;
        map.close();
        boolean barrier = map instanceof SharedBarrier;
        throw new IncompatibleMapException("map '" + map.name() + "' is a " + (barrier ? "barrier" : "ring")
                + " map, not an array map; open it with " + (barrier ? "SharedBarrier" : "SharedRing (or SharedQueue)"),
                "map type");
    }
}
