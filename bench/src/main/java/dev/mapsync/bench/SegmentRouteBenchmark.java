package dev.mapsync.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
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
 * Where the nanoseconds between a memory segment and Agrona's {@code UnsafeBuffer} go ({@link SlotBenchmark} has
 * both): the same i64 slot of a /dev/shm file, read and written through the JDK's VarHandle on segments that the JIT
 * can know more about. {@code sharedStatic}: a segment of a shared arena (closable, as mapsync's are) in a static
 * final field, so that its address and size are constants but every access still checks that the arena is open;
 * {@code globalField}: a segment of the global arena (never closed: no liveness check) in a plain field;
 * {@code globalStatic}: both, the most the JIT can fold. A global segment cannot be closed, so a library that used one
 * could not unmap a map while any code might still reach it; and a static field holds one segment per class, so each
 * map would need a class of its own.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {JvmFlags.NATIVE, JvmFlags.AGRONA})
public class SegmentRouteBenchmark {
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final long SIZE = 64 * 8L;
    private static final Path DIR = MappedFiles.tempDir();
    private static final MemorySegment SHARED_STATIC = MappedFiles.segment(DIR.resolve("shared"), SIZE, Arena.ofShared());
    private static final MemorySegment GLOBAL_STATIC = MappedFiles.segment(DIR.resolve("global"), SIZE, Arena.global());

    private final MemorySegment globalField = MappedFiles.segment(DIR.resolve("field"), SIZE, Arena.global());

    /** Not final, so the JIT cannot fold the address. */
    int index = 3;
    long value = 42;

    @TearDown
    public void tearDown() {
        MappedFiles.deleteTree(DIR); // the mappings stay valid: the pages go when the process ends
    }

    @Benchmark
    public long getVolatile_sharedStatic() {
        return (long) LONG.getVolatile(SHARED_STATIC, index * 8L);
    }

    @Benchmark
    public long getVolatile_globalField() {
        return (long) LONG.getVolatile(globalField, index * 8L);
    }

    @Benchmark
    public long getVolatile_globalStatic() {
        return (long) LONG.getVolatile(GLOBAL_STATIC, index * 8L);
    }

    @Benchmark
    public long getAndAdd_sharedStatic() {
        return (long) LONG.getAndAdd(SHARED_STATIC, index * 8L, 1L);
    }

    @Benchmark
    public long getAndAdd_globalField() {
        return (long) LONG.getAndAdd(globalField, index * 8L, 1L);
    }

    @Benchmark
    public long getAndAdd_globalStatic() {
        return (long) LONG.getAndAdd(GLOBAL_STATIC, index * 8L, 1L);
    }

    @Benchmark
    public void setVolatile_sharedStatic() {
        LONG.setVolatile(SHARED_STATIC, index * 8L, value);
    }

    @Benchmark
    public void setVolatile_globalField() {
        LONG.setVolatile(globalField, index * 8L, value);
    }

    @Benchmark
    public void setVolatile_globalStatic() {
        LONG.setVolatile(GLOBAL_STATIC, index * 8L, value);
    }
}
