package dev.mapsync.bench;

import dev.mapsync.Codec;
import dev.mapsync.LongSlots;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import org.agrona.concurrent.UnsafeBuffer;
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
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * One i64 slot of a shared map: getAndAdd, volatile get and volatile set through the mapsync API, against the
 * same operations on a raw {@link MemorySegment} VarHandle and on Agrona's {@link UnsafeBuffer}, both over a
 * file mapped from /dev/shm (the peers' setting).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {JvmFlags.NATIVE, JvmFlags.AGRONA})
public class SlotBenchmark {
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final int ENTRIES = 64;

    private Path dir;
    private Arena arena;
    private SharedArray<Long> map;
    private LongSlots slots;
    private MemorySegment raw;
    private UnsafeBuffer agrona;

    /** Not final, so the JIT cannot fold the address. */
    int index = 3;
    long value = 42;

    @Setup
    public void setUp() {
        dir = MappedFiles.tempDir();
        map = SharedArray.create(MapSpec.array("slots", Codec.i64(), ENTRIES).dir(dir));
        slots = map.longs();
        arena = Arena.ofShared();
        raw = MappedFiles.segment(dir.resolve("raw"), ENTRIES * 8L, arena);
        agrona = new UnsafeBuffer(MappedFiles.buffer(dir.resolve("agrona"), ENTRIES * 8L));
    }

    @TearDown
    public void tearDown() {
        map.close();
        arena.close();
        MappedFiles.deleteTree(dir);
    }

    @Benchmark
    public long getAndAdd_mapsync() {
        return slots.getAndAdd(index, 1);
    }

    @Benchmark
    public long getAndAdd_rawVarHandle() {
        return (long) LONG.getAndAdd(raw, index * 8L, 1L);
    }

    @Benchmark
    public long getAndAdd_agrona() {
        return agrona.getAndAddLong(index * 8, 1);
    }

    @Benchmark
    public long getVolatile_mapsync() {
        return slots.getVolatile(index);
    }

    @Benchmark
    public long getVolatile_rawVarHandle() {
        return (long) LONG.getVolatile(raw, index * 8L);
    }

    @Benchmark
    public long getVolatile_agrona() {
        return agrona.getLongVolatile(index * 8);
    }

    @Benchmark
    public void setVolatile_mapsync() {
        slots.setVolatile(index, value);
    }

    @Benchmark
    public void setVolatile_rawVarHandle() {
        LONG.setVolatile(raw, index * 8L, value);
    }

    @Benchmark
    public void setVolatile_agrona() {
        agrona.putLongVolatile(index * 8, value);
    }
}
