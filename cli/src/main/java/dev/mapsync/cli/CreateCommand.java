package dev.mapsync.cli;

import dev.mapsync.CounterSpec;
import dev.mapsync.SharedCounters;
import dev.mapsync.ArraySpec;
import dev.mapsync.Backend;
import dev.mapsync.Codec;
import dev.mapsync.HashSpec;
import dev.mapsync.MapSpec;
import dev.mapsync.Schema;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedHashMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.Locale;

@Command(name = "create", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = "Create a map.", footer = {"",
        "Examples:",
        "  mapsync create hits --value i64 --entries 256",
        "  mapsync create accounts --value id:i64,balance:i64,owner:char[16] --entries 1024 --mode 0640",
        "  mapsync create bpf:hits --value u64 --entries 64",
        "  mapsync create sessions --type hash --key char[36] --value user:i64,expires:i64 --entries 100000",
        "  mapsync create bpf:flows --type hash --key src:u32,dst:u32,port:u16 --value u64 --entries 65536 --lru",
        "  mapsync create bpf:pkts --value u64 --entries 4 --per-cpu",
        "  mapsync create requests --type counter --entries 4                  # 4 sharded i64 counters"})
final class CreateCommand extends MapCommand implements Runnable {
    @Option(names = "--type", defaultValue = "array", paramLabel = "TYPE",
            description = "Map type: array (default; keys are the indexes 0..N-1), hash (keys given by --key) or counter (--entries sharded i64 counters, 1 to 1024, shm only: each process adds into cells of its own, get prints the sum).")
    String type;

    @Option(names = "--key", paramLabel = "SCHEMA",
            description = "Key schema of a hash map, in the form of --value: a number (u64), a string (char[32]) or fields (src:u32,port:u16).")
    String key;

    @Option(names = "--lru", description = "Hash maps on the bpf backend: a BPF_MAP_TYPE_LRU_HASH, which evicts the least recently used keys when full.")
    boolean lru;

    @Option(names = "--per-cpu", description = "bpf backend: a per-CPU map (PERCPU_ARRAY, PERCPU_HASH, with --lru LRU_PERCPU_HASH): one value per CPU for each key; get prints their sum.")
    boolean perCpu;

    @Option(names = "--spin-lock", description = "Hash maps on the bpf backend: put a struct bpf_spin_lock before each value and copy values with BPF_F_LOCK.")
    boolean spinLock;

    @Option(names = "--value", paramLabel = "SCHEMA",
            description = "Value schema: a type (i64, u32, f64, char[16], i32[4]...) or fields (id:i64,owner:char[16],pos:{x:f32,y:f32}). Needed by arrays and hash maps; a counter's is i64.")
    String value;

    @Option(names = "--entries", required = true, paramLabel = "N", description = "Number of entries (hash maps: the capacity; counter maps: the counters).")
    int entries;

    @Option(names = "--mode", defaultValue = "0600", paramLabel = "MODE", description = "Permission bits, octal (default 0600).")
    String mode;

    @Option(names = "--backend", paramLabel = "shm|bpf", description = "Backend (default shm; a bpf: prefix on the name means bpf).")
    String backend;

    @Option(names = "--stripes", paramLabel = "N", description = "Entry locks; entry i uses lock i %% N (default: one per entry, up to 4096). Hash maps: the segments, each with its own lock (default: one per 128 entries, up to 4096).")
    Integer stripes;

    @Option(names = "--changelog", paramLabel = "N", description = "Changes kept for subscribers, a power of two (default 4096).")
    Integer changelog;

    @Override
    public void run() {
        if (!type.equals("array") && !type.equals("hash") && !type.equals("counter")) {
            throw new IllegalArgumentException("unknown map type '" + type + "' (known: array, hash, counter)");
        }
        MapRef ref = ref();
        if (ref.pin() != null) {
            throw new IllegalArgumentException("a new kernel map is named bpf:NAME (mapsync pins it at /sys/fs/bpf/mapsync/NAME),"
                    + " not by a path in a bpf file system: " + ref.pin());
        }
        Backend chosen = backend == null ? ref.backend() : BackendName.parse(backend);
        if (type.equals("counter")) {
            createCounters(ref, chosen);
            return;
        }
        if (value == null) {
            throw new IllegalArgumentException((type.equals("hash") ? "a hash" : "an array") + " map needs a value schema: --value SCHEMA (such as i64 or id:i64,owner:char[16])");
        }
        if (type.equals("hash")) {
            createHash(ref, chosen);
            return;
        }
        if (key != null || lru || spinLock) {
            throw new IllegalArgumentException("--key, --lru and --spin-lock are for hash maps (--type hash); an array's keys are its indexes");
        }
        Codec<Object> codec = Codec.of(Schema.parse(value));
        ArraySpec<Object> spec = ref.path() != null ? MapSpec.array(ref.path(), codec, entries)
                : MapSpec.array(ref.name(), codec, entries);
        if (ref.path() == null && root.dir != null) spec = spec.dir(root.dir);
        spec = spec.backend(chosen).mode(Integers.octal(mode)).perCpu(perCpu);
        if (stripes != null) spec = spec.lockStripes(stripes);
        if (changelog != null) spec = spec.changelogCapacity(changelog);
        try (SharedArray<Object> created = SharedArray.create(spec)) {
            out().printf("created %s: %d x %s (%s backend, %s, mode %04o)%n", ref, created.length(),
                    codec.schema(), chosen.name().toLowerCase(Locale.ROOT), created.info().file(), created.info().mode());
        }
    }

    private void createCounters(MapRef ref, Backend chosen) {
        if (key != null || lru || spinLock || perCpu || stripes != null || changelog != null) {
            throw new IllegalArgumentException("--key, --lru, --spin-lock, --per-cpu, --stripes and --changelog are not"
                    + " for counter maps, which have counters 0..N-1 of i64, no locks and no change log");
        }
        if (value != null && !value.strip().equals("i64")) {
            throw new IllegalArgumentException("a counter map's counters are i64, not " + value + " (leave out --value)");
        }
        CounterSpec spec = ref.path() != null ? MapSpec.counters(ref.path(), entries) : MapSpec.counters(ref.name(), entries);
        if (ref.path() == null && root.dir != null) spec = spec.dir(root.dir);
        spec = spec.backend(chosen).mode(Integers.octal(mode));
        try (SharedCounters created = SharedCounters.create(spec)) {
            var info = created.info();
            out().printf("created %s: %d counters of i64 (shm backend, %s, mode %04o)%n", ref, created.count(),
                    info.file(), info.mode());
        }
    }

    private void createHash(MapRef ref, Backend chosen) {
        if (key == null) throw new IllegalArgumentException("a hash map needs a key schema: --key SCHEMA (such as u64 or char[32])");
        Codec<Object> keys = Codec.of(Schema.parse(key));
        Codec<Object> values = Codec.of(Schema.parse(value));
        HashSpec<Object, Object> spec = ref.path() != null ? HashSpec.of(ref.path(), keys, values, entries)
                : HashSpec.of(ref.name(), keys, values, entries);
        if (ref.path() == null && root.dir != null) spec = spec.dir(root.dir);
        spec = spec.backend(chosen).mode(Integers.octal(mode)).lru(lru).spinLock(spinLock).perCpu(perCpu);
        if (stripes != null) spec = spec.segments(stripes);
        if (changelog != null) spec = spec.changelogCapacity(changelog);
        try (SharedHashMap<Object, Object> created = SharedHashMap.create(spec)) {
            var info = created.info();
            out().printf("created %s: hash map of %s -> %s, capacity %d (%s backend, %s, mode %04o)%n", ref,
                    keys.schema(), values.schema(), created.capacity(), chosen.name().toLowerCase(Locale.ROOT),
                    info.file(), info.mode());
        }
    }
}
