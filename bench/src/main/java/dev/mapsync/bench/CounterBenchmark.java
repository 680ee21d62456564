package dev.mapsync.bench;

import dev.mapsync.Codec;
import dev.mapsync.LongSlots;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedCounters;
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

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A sharded counter ({@link SharedCounters}) in one thread, uncontended: its add against {@code getAndAdd} on one
 * mapsync slot and on Agrona's {@link UnsafeBuffer} over a mapped file, and its sum (of 1 and of 4 cells, as 1 and 4
 * processes leave it) against a slot's volatile read.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {JvmFlags.NATIVE, JvmFlags.AGRONA})
public class CounterBenchmark {
    private Path dir;
    private SharedCounters one;
    private SharedCounters four;
    private final List<SharedCounters> others = new ArrayList<>();
    private SharedArray<Long> map;
    private LongSlots slots;
    private UnsafeBuffer agrona;

    /** Not final, so the JIT cannot fold the address. */
    int index = 3;

    @Setup
    public void setUp() {
        dir = MappedFiles.tempDir();
        one = SharedCounters.create(MapSpec.counters("one", 8).dir(dir));
        four = SharedCounters.create(MapSpec.counters("four", 8).dir(dir));
        for (int i = 0; i < 3; i++) others.add(SharedCounters.open(MapSpec.counters("four", 8).dir(dir)));
        for (SharedCounters c : others) c.add(index, 1); // four cells of counter 3, as four processes leave them
        map = SharedArray.create(MapSpec.array("slots", Codec.i64(), 64).dir(dir));
        slots = map.longs();
        agrona = new UnsafeBuffer(MappedFiles.buffer(dir.resolve("agrona"), 64 * 8L));
    }

    @TearDown
    public void tearDown() {
        one.close();
        four.close();
        others.forEach(SharedCounters::close);
        map.close();
        MappedFiles.deleteTree(dir);
    }

    @Benchmark
    public void add_sharded() {
        one.add(index, 1);
    }

    @Benchmark
    public long getAndAdd_mapsync() {
        return slots.getAndAdd(index, 1);
    }

    @Benchmark
    public long getAndAddLong_agrona() {
        return agrona.getAndAddLong(index * 8, 1);
    }

    @Benchmark
    public long sum_sharded_1cell() {
        return one.sum(index);
    }

    @Benchmark
    public long sum_sharded_4cells() {
        return four.sum(index);
    }

    @Benchmark
    public long getVolatile_mapsync() {
        return slots.getVolatile(index);
    }
}
