package dev.mapsync;

import dev.mapsync.internal.store.Blueprint;
import dev.mapsync.internal.store.Opener;
import dev.mapsync.internal.store.MapInfos;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Operations on maps as a whole: describe, list, delete, and open a map of any kind. Static methods only, safe to call
 * from any thread; each acts on the file system at the moment it runs (another process may change a map meanwhile).
 */
public final class SharedMaps {
    private SharedMaps() {}

    /**
     * Describes an existing map without keeping it open.
     *
     * @param location the map
     * @return what its header and file say
     * @throws MapNotFoundException if there is no such map
     * @throws CorruptMapException  if it is not a complete mapsync map
     */
    public static MapInfo info(MapLocation location) {
        Blueprint spec = location.blueprint();
        return MapInfos.of(spec.name(), spec.file(), Kinds.readHeader(spec), Map.of());
    }

    /**
     * Deletes a map: its file and its liveness file (for bpf maps, the pin, the sidecar and its liveness file).
     * Processes that have it open keep using their mapping until they close it; new opens no longer find it.
     *
     * @param location the map
     * @throws MapNotFoundException     if there is no such map
     * @throws MapAccessDeniedException if this user may not delete it (the message says why)
     */
    public static void delete(MapLocation location) {
        Opener.delete(location.blueprint());
    }

    /**
     * {@link #delete(MapLocation)} of the map called {@code name} in the default folder.
     *
     * @param name the map's name
     * @throws MapNotFoundException     if there is no such map
     * @throws MapAccessDeniedException if this user may not delete it
     * @throws IllegalArgumentException if the name is not a map name
     */
    public static void delete(String name) {
        delete(MapSpec.existing(name));
    }

    /**
     * Opens the existing map at {@code location}, of whatever kind, as it is: a {@link SharedArray}, a
     * {@link SharedHashMap}, a {@link SharedQueue} (a ring of typed values), a {@link SharedRing} (of records of any
     * length), a {@link SharedBarrier} or {@link SharedCounters}, with codecs of the map's own schemas.
     *
     * @param location the map
     * @return the handle of its kind, open for reading and writing; close it when done
     * @throws MapNotFoundException if there is no such map
     * @throws CorruptMapException  if it is not a complete mapsync map
     */
    public static SharedMap open(MapLocation location) {
        return switch (info(location).type()) {
            case ARRAY -> SharedArray.open(location);
            case HASH -> SharedHashMap.open(location);
            case RING -> {
                SharedRing ring = SharedRing.open(location);
                yield ring.valueSchema().isPresent() ? SharedQueue.adopt(ring) : ring;
            }
            case BARRIER -> SharedBarrier.open(location);
            case COUNTER -> SharedCounters.open(location);
        };
    }

    /**
     * {@link #open(MapLocation)} for reading only: a ring (a queue's too) is a {@link SharedRing} that can neither
     * produce nor consume.
     *
     * @param location the map
     * @return the handle of its kind, read-only; close it when done
     * @throws MapNotFoundException if there is no such map
     * @throws CorruptMapException  if it is not a complete mapsync map
     */
    public static SharedMap openReadOnly(MapLocation location) {
        return switch (info(location).type()) {
            case ARRAY -> SharedArray.openReadOnly(location);
            case HASH -> SharedHashMap.openReadOnly(location);
            case RING -> SharedRing.openReadOnly(location);
            case BARRIER -> SharedBarrier.openReadOnly(location);
            case COUNTER -> SharedCounters.openReadOnly(location);
        };
    }

    /**
     * {@return the maps in the {@link MapSpec#defaultDir() default folder}, as {@link #list(Path)} gives them}
     *
     * @throws MapAccessDeniedException if the folder is one mapsync refuses
     */
    public static List<MapInfo> list() {
        return list(MapSpec.defaultDir());
    }

    /**
     * The maps in {@code dir}, by name. Files that are not complete mapsync maps are left out, and so are the maps'
     * liveness files ({@code NAME.live}: no map name has a {@code '.'}); a missing folder holds no maps.
     *
     * @param dir the folder
     * @return the description of each map, by name
     * @throws MapAccessDeniedException if the folder is one mapsync refuses (another user could have planted it)
     */
    public static List<MapInfo> list(Path dir) {
        List<MapInfo> maps = new ArrayList<>();
        if (!dev.mapsync.internal.store.Folders.checkTrusted(dir)) return maps;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                if (file.getFileName().toString().contains(".")) continue;
                if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) continue;
                try {
                    Blueprint spec = MapSpec.existing(file).openTimeout(Duration.ZERO).blueprint();
                    maps.add(MapInfos.of(file.getFileName().toString(), file, Kinds.readHeader(spec), Map.of()));
                } catch (MapSyncException | IllegalArgumentException e) {
                    // not a map, not finished, or not readable by us: not listed
                }
            }
        } catch (IOException e) {
            throw new MapSyncException("cannot list " + dir + ": " + e, e);
        }
        maps.sort(Comparator.comparing(MapInfo::name));
        return maps;
    }
}
