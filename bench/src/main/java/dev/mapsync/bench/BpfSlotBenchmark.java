package dev.mapsync.bench;

import dev.mapsync.Backend;
import dev.mapsync.Codec;
import dev.mapsync.LongSlots;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedMaps;
import dev.mapsync.internal.store.Bpffs;
import dev.mapsync.internal.store.ElementIo;
import dev.mapsync.internal.store.KernelMap;
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

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * One i64 value of a kernel BPF array map, reached in the two ways the bpf backend has, in one run: through the
 * mapping of the kernel map's own pages ({@code *_bpfMapped}: what {@link SharedArray} does for an mmapable
 * array), and through {@code bpf(2)} on the same map ({@code *_bpfSyscall}: {@code BPF_MAP_LOOKUP_ELEM} and
 * {@code BPF_MAP_UPDATE_ELEM}, the region's {@link ElementIo}, which a kernel map that cannot be mapped takes); with the
 * same operations on an shm map ({@code *_shm}) for scale. The syscall path has no atomic add: its getAndAdd is
 * a lookup followed by an update, two system calls, as a caller of that path would have to do it.
 *
 * <p>Needs CAP_BPF (the setup says so if the kernel refuses). The map is pinned under
 * {@code /sys/fs/bpf/mapsync/} for the run and removed afterwards.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {JvmFlags.NATIVE})
public class BpfSlotBenchmark {
    private static final int ENTRIES = 64;

    private Path dir;
    private String name;
    private SharedArray<Long> bpf;
    private LongSlots bpfSlots;
    private KernelMap syscalls;
    private SharedArray<Long> shm;
    private LongSlots shmSlots;
    private Arena arena;
    private MemorySegment value;

    /** Not final, so the JIT cannot fold the address. */
    int index = 3;

    @Setup
    public void setUp() {
        dir = MappedFiles.tempDir();
        name = "bench_" + ProcessHandle.current().pid();
        try {
            bpf = SharedArray.create(MapSpec.array(name, Codec.i64(), ENTRIES).backend(Backend.BPF).dir(dir));
        } catch (RuntimeException e) {
            MappedFiles.deleteTree(dir);
            throw new IllegalStateException("the bpf benchmarks need a kernel BPF map (CAP_BPF and bpffs; see mapsync"
                    + " doctor): " + e.getMessage(), e);
        }
        bpfSlots = bpf.longs();
        // the same kernel map opened once more by its pin, reached through bpf(2)
        syscalls = KernelMap.openPin(name, Bpffs.defaultPin(name), false);
        shm = SharedArray.create(MapSpec.array("slots", Codec.i64(), ENTRIES).dir(dir));
        shmSlots = shm.longs();
        arena = Arena.ofShared();
        value = arena.allocate(Long.BYTES, Long.BYTES);
    }

    @TearDown
    public void tearDown() {
        syscalls.close();
        bpf.close();
        shm.close();
        arena.close();
        SharedMaps.delete(MapSpec.existing(name).dir(dir));
        MappedFiles.deleteTree(dir);
    }

    @Benchmark
    public long get_bpfMapped() {
        return bpfSlots.getVolatile(index);
    }

    @Benchmark
    public long getAndAdd_bpfMapped() {
        return bpfSlots.getAndAdd(index, 1);
    }

    @Benchmark
    public long get_bpfSyscall() {
        syscalls.load(index, value);
        return value.get(ValueLayout.JAVA_LONG, 0);
    }

    @Benchmark
    public long getAndAdd_bpfSyscall() {
        syscalls.load(index, value);
        long old = value.get(ValueLayout.JAVA_LONG, 0);
        value.set(ValueLayout.JAVA_LONG, 0, old + 1);
        syscalls.store(index, value);
        return old;
    }

    @Benchmark
    public long get_shm() {
        return shmSlots.getVolatile(index);
    }

    @Benchmark
    public long getAndAdd_shm() {
        return shmSlots.getAndAdd(index, 1);
    }
}
