package dev.mapsync.bench;

import dev.mapsync.Backend;
import dev.mapsync.Codec;
import dev.mapsync.HashSpec;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedHashMap;
import dev.mapsync.SharedMaps;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A bpf hash map (a kernel {@code BPF_MAP_TYPE_HASH}: every operation a {@code bpf(2)} call) of u64 keys to 3-field
 * records ({@code struct { int64_t id, balance, check; }}), one thread, no contention: a get (one lookup) and a set
 * (the key's stripe lock in the sidecar, one {@code BPF_MAP_UPDATE_ELEM} with {@code BPF_ANY}), the operations
 * libmapsync's bench and the Python client's bench.py time on the same kind of map.
 *
 * <p>Needs CAP_BPF (the setup says so if the kernel refuses). The map is pinned under {@code /sys/fs/bpf/mapsync/}
 * for the run and removed afterwards.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {JvmFlags.NATIVE})
public class BpfHashBenchmark {
    public record Account(long id, long balance, long check) {}

    private Path dir;
    private String name;
    private SharedHashMap<Long, Account> map;

    /** Not final, so the JIT cannot fold them. */
    Long key = 1L;
    Account account = new Account(1, 100, ~100L);

    @Setup
    public void setUp() {
        dir = MappedFiles.tempDir();
        name = "bench_hash_" + ProcessHandle.current().pid();
        try {
            map = SharedHashMap.create(HashSpec.of(name, Codec.i64(), Codec.record(Account.class), 64)
                    .backend(Backend.BPF).dir(dir));
        } catch (RuntimeException e) {
            MappedFiles.deleteTree(dir);
            throw new IllegalStateException("the bpf benchmarks need a kernel BPF map (CAP_BPF and bpffs; see mapsync"
                    + " doctor): " + e.getMessage(), e);
        }
        map.set(key, account);
    }

    @TearDown
    public void tearDown() {
        map.close();
        SharedMaps.delete(MapSpec.existing(name).dir(dir).backend(Backend.BPF));
        MappedFiles.deleteTree(dir);
    }

    @Benchmark
    public Account get_bpfHash() {
        return map.get(key);
    }

    @Benchmark
    public void set_bpfHash() {
        map.set(key, account);
    }
}
