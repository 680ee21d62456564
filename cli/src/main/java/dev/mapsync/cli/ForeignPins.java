package dev.mapsync.cli;

import dev.mapsync.Codec;
import dev.mapsync.HashSpec;
import dev.mapsync.IncompatibleMapException;
import dev.mapsync.MapLocation;
import dev.mapsync.MapSpec;
import dev.mapsync.MapSyncException;
import dev.mapsync.Schema;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedHashMap;
import dev.mapsync.SharedRing;
import dev.mapsync.internal.store.BpfArrays;
import dev.mapsync.internal.sys.KernelMapInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kernel maps pinned by other programs (bpftool, libbpf), opened by the commands without leaving anything behind.
 *
 * <p>A mapsync handle needs a sidecar: the map's header (its schema) and control region. A pin mapsync made, or one a
 * program adopted ({@code MapSpec.existingPin}), has one in the map folder, shared by every process that opens the
 * map; the commands open it there. A foreign pin has none, and a command must not make one in the shared folder
 * (other programs would then find a map that no one asked for), so it adopts the map into a private folder of its
 * own, removed when the command ends. That sidecar is this process's alone: its locks and change log mean nothing to
 * anyone else, which is why the commands that need a shared control region refuse a foreign pin.
 *
 * <p>Not thread-safe: a command runs on one thread.
 */
final class ForeignPins {
    private ForeignPins() {}

    /** The private folder of each foreign pin this run opened. */
    private static final Map<Path, Path> ADOPTED = new LinkedHashMap<>();
    private static boolean hooked;

    /**
     * True when {@code sidecar}, where a sidecar of {@code pin} would be, exists and records that pin: mapsync made the
     * map, or a program adopted it.
     */
    static boolean hasSharedSidecar(Path pin, Path sidecar) {
        if (!Files.exists(sidecar, LinkOption.NOFOLLOW_LINKS)) return false;
        String recorded = BpfArrays.details(name(pin), sidecar).getOrDefault("pin", "");
        return recorded.equals(pin.toString()) || recorded.startsWith(pin + " (");
    }

    /**
     * The location of the foreign map pinned at {@code pin}, adopted into this run's private folder: with the schemas
     * of {@code schema} where given, else those of the map's BTF.
     *
     * @throws IncompatibleMapException if the map is of a type the commands do not open, or its schema is unknown
     *                                  (no BTF, and no --value)
     */
    static synchronized MapLocation adopt(Path pin, SchemaOptions schema) {
        Path dir = ADOPTED.get(pin);
        if (dir != null) return MapSpec.existingPin(pin).dir(dir);
        KernelMapInfo info = KernelPins.describe(pin);
        dir = privateFolder();
        ADOPTED.put(pin, dir);
        MapLocation at = MapSpec.existingPin(pin).dir(dir);
        String map = "the " + info.typeName() + " map pinned at " + pin;
        try {
            switch (info.type()) {
                case KernelMapInfo.TYPE_ARRAY, KernelMapInfo.TYPE_PERCPU_ARRAY -> {
                    if (schema.key() != null) throw new IllegalArgumentException("--key is for hash maps; " + map + " has indexes");
                    var spec = schema.value() == null ? null
                            : MapSpec.pinned(pin, codec(schema.value())).perCpu(info.isPerCpu()).dir(dir);
                    (spec == null ? SharedArray.openReadOnly(at) : SharedArray.openReadOnly(spec)).close();
                }
                case KernelMapInfo.TYPE_HASH, KernelMapInfo.TYPE_LRU_HASH, KernelMapInfo.TYPE_PERCPU_HASH,
                     KernelMapInfo.TYPE_LRU_PERCPU_HASH -> {
                    if ((schema.key() == null) != (schema.value() == null)) {
                        throw new IllegalArgumentException(map + " needs both --key and --value, or neither (its BTF)");
                    }
                    if (schema.value() == null) {
                        SharedHashMap.openReadOnly(at).close();
                    } else {
                        SharedHashMap.openReadOnly(HashSpec.pinned(pin, codec(schema.key()), codec(schema.value()))
                                .dir(dir).perCpu(info.isPerCpu()).lru(info.type() == KernelMapInfo.TYPE_LRU_HASH
                                        || info.type() == KernelMapInfo.TYPE_LRU_PERCPU_HASH)).close();
                    }
                }
                case KernelMapInfo.TYPE_RINGBUF, KernelMapInfo.TYPE_USER_RINGBUF -> {
                    if (schema.given()) throw new IllegalArgumentException("--key and --value are for array and hash maps; " + map + " holds records of any length");
                    SharedRing.openReadOnly(MapSpec.pinnedRing(pin).dir(dir)).close();
                }
                default -> throw new IncompatibleMapException(map + ": mapsync opens array, hash and lru_hash maps,"
                        + " their per-CPU variants, and ringbuf and user_ringbuf maps only", "kernel map type");
            }
        } catch (IncompatibleMapException e) {
            if (!"value schema".equals(e.field())) throw e;
            throw new IncompatibleMapException(map + " has no BTF that describes its " + (info.isHash() ? "keys and " : "")
                    + "values (" + (info.isHash() ? info.keySize() + "-byte keys, " : "") + info.valueSize()
                    + "-byte values); give " + (info.isHash() ? "--key SCHEMA --value SCHEMA" : "--value SCHEMA")
                    + " (such as --value u64)", "value schema");
        }
        return at;
    }

    /**
     * The refusal of a command that needs the shared control region, for a foreign pin.
     */
    static IncompatibleMapException needsControlRegion(String command, Path pin) {
        return new IncompatibleMapException("the " + command + " command needs mapsync's control region (locks, change log),"
                + " and the kernel map pinned at " + pin + " has none: another program made it; get, set, add, dump, info,"
                + " watch --poll, top, export and queue take work on it", "control region");
    }

    /** Removes every private folder this run made; the commands have closed their handles by then. Idempotent. */
    static synchronized void removeAll() {
        List<Path> dirs = new ArrayList<>(ADOPTED.values());
        ADOPTED.clear();
        for (Path dir : dirs) removeQuietly(dir);
    }

    private static Codec<Object> codec(String schema) {
        return Codec.of(Schema.parse(schema));
    }

    private static String name(Path pin) {
        return pin.getFileName() == null ? "" : pin.getFileName().toString();
    }

    private static Path privateFolder() {
        if (!hooked) {
            // a command that runs until it is interrupted (watch, top) ends by System.exit: remove the folders then too
            Runtime.getRuntime().addShutdownHook(new Thread(ForeignPins::removeAll, "mapsync-foreign-pins"));
            hooked = true;
        }
        Path shm = Path.of("/dev/shm");
        try {
            // mode 0700, owned by this user: a folder mapsync trusts, and one no other user can see into
            return Files.isDirectory(shm) ? Files.createTempDirectory(shm, "mapsync-pin-")
                    : Files.createTempDirectory("mapsync-pin-");
        } catch (IOException e) {
            throw new MapSyncException("cannot make a private folder for a foreign pin's sidecar: " + e, e);
        }
    }

    private static void removeQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException | RuntimeException e) {
            // a leftover private folder holds nothing anyone else uses
        }
    }
}
