package dev.mapsync.internal.store;

import dev.mapsync.internal.sys.KernelMapInfo;
import dev.mapsync.MapExistsException;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The making of every new bpf map (array, ring, hash): a kernel map, pinned at the map's default pin, and its shm
 * sidecar, whose backend area records the pin. If any step fails, the pin is removed and the kernel map closed, so
 * nothing is left half made.
 */
public final class NewPinnedMap {
    private NewPinnedMap() {}

    /**
     * Creates the kernel map with {@code make}, pins it, and creates the sidecar.
     *
     * @param access how the values are reached ({@link BpfArea#ACCESS_MMAP} or the syscall path), for the sidecar
     * @param dataOf maps the values given the kernel map and its pin, or returns null when they are not mapped; it
     *               runs before the sidecar is published
     * @param finish makes the caller's region from the sidecar's and the kernel map
     * @throws MapExistsException if the pin or the sidecar exists
     */
    public static <R> R create(String name, Path sidecar, Header header, int mode, int access, Supplier<KernelMap> make,
                        BiFunction<KernelMap, Path, MemorySegment> dataOf, BiFunction<MapRegion, KernelMap, R> finish) {
        Bpffs.mapsyncDir();
        Path pin = Bpffs.defaultPin(name);
        BpfArea.checkFits(name, pin);
        // a cheap refusal first, so that openOrCreate of an existing map makes no kernel map; the pin decides races
        if (Bpffs.exists(pin)) throw new MapExistsException("map '" + name + "' already exists (pin " + pin + ")");
        KernelMap map = BpfFailures.call(name, null, make);
        boolean pinned = false;
        try {
            BpfFailures.call(name, pin, () -> {
                map.pin(pin);
                return null;
            });
            pinned = true;
            Bpffs.chmod(pin, mode);
            KernelMapInfo info = map.info();
            BpfArea area = new BpfArea(info.id(), info.type(), info.flags(), access, pin);
            MapRegion region = ShmMapFile.create(name, sidecar, header, mode, head -> {
                area.write(head);
                return dataOf.apply(map, pin);
            }, map::close);
            return finish.apply(region, map);
        } catch (RuntimeException | Error e) {
            if (pinned) Bpffs.unpinQuietly(pin);
            map.close();
            throw e;
        }
    }
}
