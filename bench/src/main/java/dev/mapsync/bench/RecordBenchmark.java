package dev.mapsync.bench;

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
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A 3-field record ({@code struct { int64_t id; double price; int32_t qty; }}, 24 bytes) read and written whole
 * through the mapsync API, against the same three field accesses on a raw {@link MemorySegment} and on Agrona's
 * {@link UnsafeBuffer} over a mapped file.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {JvmFlags.NATIVE, JvmFlags.AGRONA})
public class RecordBenchmark {
    public record Trade(long id, double price, int qty) {}

    private static final int ENTRIES = 64;
    private static final long STRIDE = 24;

    private Path dir;
    private Arena arena;
    private SharedArray<Trade> map;
    private MemorySegment raw;
    private UnsafeBuffer agrona;

    int index = 3;
    Trade trade = new Trade(7, 101.25, 300);

    @Setup
    public void setUp() {
        dir = MappedFiles.tempDir();
        map = SharedArray.create(MapSpec.array("trades", Trade.class, ENTRIES).dir(dir));
        map.set(index, trade);
        arena = Arena.ofShared();
        raw = MappedFiles.segment(dir.resolve("raw"), ENTRIES * STRIDE, arena);
        agrona = new UnsafeBuffer(MappedFiles.buffer(dir.resolve("agrona"), ENTRIES * STRIDE));
        set_rawSegment();
        set_agrona();
    }

    @TearDown
    public void tearDown() {
        map.close();
        arena.close();
        MappedFiles.deleteTree(dir);
    }

    @Benchmark
    public Trade get_mapsync() {
        return map.get(index);
    }

    @Benchmark
    public void set_mapsync() {
        map.set(index, trade);
    }

    @Benchmark
    public Trade get_rawSegment() {
        long o = index * STRIDE;
        return new Trade(raw.get(ValueLayout.JAVA_LONG, o), raw.get(ValueLayout.JAVA_DOUBLE, o + 8),
                raw.get(ValueLayout.JAVA_INT, o + 16));
    }

    @Benchmark
    public void set_rawSegment() {
        long o = index * STRIDE;
        raw.set(ValueLayout.JAVA_LONG, o, trade.id());
        raw.set(ValueLayout.JAVA_DOUBLE, o + 8, trade.price());
        raw.set(ValueLayout.JAVA_INT, o + 16, trade.qty());
    }

    @Benchmark
    public Trade get_agrona() {
        int o = (int) (index * STRIDE);
        return new Trade(agrona.getLong(o), agrona.getDouble(o + 8), agrona.getInt(o + 16));
    }

    @Benchmark
    public void set_agrona() {
        int o = (int) (index * STRIDE);
        agrona.putLong(o, trade.id());
        agrona.putDouble(o + 8, trade.price());
        agrona.putInt(o + 16, trade.qty());
    }
}
