package dev.mapsync.bench.hash;

import dev.mapsync.Backend;
import dev.mapsync.Codec;
import dev.mapsync.HashSpec;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedHashMap;
import dev.mapsync.SharedMaps;
import net.openhft.chronicle.map.ChronicleMap;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A long-to-long map under test, as one worker process sees it. */
interface Store extends AutoCloseable {
    Long get(long key);

    void put(long key, long value);

    @Override
    void close();

    /** The contenders, by the names the driver takes. */
    enum Kind {
        /** mapsync's hash map in shared memory: lock-free reads, a robust lock per segment for writes. */
        MAPSYNC_SHM("mapsync-shm", true),
        /** A kernel BPF_MAP_TYPE_HASH through mapsync: a bpf(2) system call per operation. */
        KERNEL_HASH("kernel-hash", true),
        /** Chronicle Map persisted to a file in /dev/shm, shared by the processes that open it. */
        CHRONICLE_MAP("chronicle-map", true),
        /** java.util.concurrent.ConcurrentHashMap: one process only (its second "process" is a second thread). */
        CONCURRENT_HASH_MAP("concurrent-hash-map", false);

        final String label;
        final boolean shared;

        Kind(String label, boolean shared) {
            this.label = label;
            this.shared = shared;
        }

        static Kind of(String label) {
            for (Kind k : values()) if (k.label.equals(label)) return k;
            throw new IllegalArgumentException("unknown store '" + label + "'");
        }
    }

    /** Makes the store (the first worker) or opens it (the others); {@code create} fills it with keys 0..entries-1. */
    static Store open(Kind kind, Path dir, String name, int entries, boolean create) throws IOException {
        return switch (kind) {
            case MAPSYNC_SHM, KERNEL_HASH -> {
                HashSpec<Long, Long> spec = HashSpec.of(name, Codec.i64(), Codec.i64(), entries).dir(dir)
                        .backend(kind == Kind.KERNEL_HASH ? Backend.BPF : Backend.SHM);
                SharedHashMap<Long, Long> map = create ? SharedHashMap.create(spec) : SharedHashMap.open(spec);
                yield new Store() {
                    public Long get(long key) {
                        return map.get(key);
                    }

                    public void put(long key, long value) {
                        map.put(key, value);
                    }

                    public void close() {
                        map.close();
                    }
                };
            }
            case CHRONICLE_MAP -> {
                ChronicleMap<Long, Long> map = ChronicleMap.of(Long.class, Long.class).name(name).entries(entries)
                        .createPersistedTo(dir.resolve(name + ".cm").toFile());
                yield of(map, map::close);
            }
            case CONCURRENT_HASH_MAP -> {
                ConcurrentHashMap<Long, Long> map = new ConcurrentHashMap<>(entries * 2);
                yield of(map, map::clear);
            }
        };
    }

    /** A store over a {@link Map} (Chronicle Map is one), closed by {@code close}. */
    private static Store of(Map<Long, Long> map, Runnable close) {
        return new Store() {
            public Long get(long key) {
                return map.get(key);
            }

            public void put(long key, long value) {
                map.put(key, value);
            }

            public void close() {
                close.run();
            }
        };
    }

    /** Removes what {@link #open} made (the kernel map's pin too). */
    static void delete(Kind kind, Path dir, String name) {
        if (kind == Kind.MAPSYNC_SHM || kind == Kind.KERNEL_HASH) {
            try {
                SharedMaps.delete(MapSpec.existing(name).dir(dir));
            } catch (RuntimeException e) {
                // never made (the worker failed before): nothing to remove
            }
        }
    }
}
