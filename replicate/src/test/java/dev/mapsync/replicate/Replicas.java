package dev.mapsync.replicate;

import dev.mapsync.MapLocation;
import dev.mapsync.MapNotFoundException;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedHashMap;

import java.util.Map;
import java.util.TreeMap;

/** What the tests compare: a replica against its leader's map, entry by entry (a missing replica is unequal). */
final class Replicas {
    private Replicas() {}

    static boolean sameArrays(SharedArray<Long> leader, MapLocation replica) {
        try (var r = SharedArray.openReadOnly(replica)) {
            if (r.length() != leader.length()) return false;
            for (int i = 0; i < leader.length(); i++) if (!leader.get(i).equals(r.get(i))) return false;
            return true;
        } catch (MapNotFoundException e) {
            return false;
        }
    }

    static Map<Object, Object> contents(MapLocation at) {
        try (var m = SharedHashMap.openReadOnly(at)) {
            Map<Object, Object> all = new TreeMap<>();
            m.forEach(all::put);
            return all;
        } catch (MapNotFoundException e) {
            return Map.of();
        }
    }
}
