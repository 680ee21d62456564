package dev.mapsync;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a map's header and file say about it, for {@code mapsync info} and {@code mapsync list}
 * ({@link SharedMaps#info}, {@link SharedMaps#list()}, {@link SharedMap#info()}). An immutable value.
 *
 * @param name              the map's name
 * @param file              the map file (for bpf maps, the sidecar file beside the pin)
 * @param type              the map type
 * @param backend           where the values live
 * @param entries           the number of entries of an array, the capacity in bytes of a ring, the parties of a barrier
 * @param valueSchema       the layout of a value (of an array, or of a queue's records); null for a ring of records of
 *                          any length and for a barrier
 * @param valueSize         the size of a value in bytes
 * @param stride            the distance between two values: the value size rounded up to 8
 * @param lockStripes       the number of entry locks
 * @param changelogCapacity the number of changes the change log keeps
 * @param creatorPid        the pid of the process that created the map (in its own pid namespace)
 * @param creatorAlive      true if that process is still running (false when it is in another pid namespace)
 * @param createdAt         when the map was created
 * @param mode              the permission bits of the file, such as {@code 0600}
 * @param ownerUid          the uid that owns the file
 * @param fileSize          the file's size in bytes
 * @param details           backend-specific facts, in display order (bpf: map id, pin path, access path)
 * @param keySchema         the layout of a key: {@code u32} (the index) for arrays
 */
public record MapInfo(String name, Path file, MapType type, Backend backend, int entries, Schema valueSchema,
                      int valueSize, int stride, int lockStripes, int changelogCapacity, int creatorPid,
                      boolean creatorAlive, Instant createdAt, int mode, int ownerUid, long fileSize,
                      Map<String, String> details, Schema keySchema) {
    /**
     * Keeps an unmodifiable copy of {@code details}, in their order.
     *
     * @param name              the map's name
     * @param file              the map file
     * @param type              the map type
     * @param backend           where the values live
     * @param entries           the entries of an array, the capacity in bytes of a ring, the parties of a barrier
     * @param valueSchema       the layout of a value, or null
     * @param valueSize         the size of a value in bytes
     * @param stride            the distance between two values
     * @param lockStripes       the number of entry locks
     * @param changelogCapacity the number of changes the change log keeps
     * @param creatorPid        the pid of the process that created the map
     * @param creatorAlive      true if that process is still running
     * @param createdAt         when the map was created
     * @param mode              the permission bits of the file
     * @param ownerUid          the uid that owns the file
     * @param fileSize          the file's size in bytes
     * @param details           backend-specific facts, in display order
     * @param keySchema         the layout of a key
     */
    public MapInfo {
        // a copy that keeps the caller's order: info and list print the details as they come
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }
}
