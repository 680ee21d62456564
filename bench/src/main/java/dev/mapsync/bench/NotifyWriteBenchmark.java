package dev.mapsync.bench;

import dev.mapsync.ChangeCursor;
import dev.mapsync.Codec;
import dev.mapsync.LongSlots;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What notification costs a writer: getAndAdd on a slot with no subscriber (one extra load) and with one open
 * subscription that does not read (each write also reserves and fills a change-log entry; no one sleeps, so no
 * system call).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {JvmFlags.NATIVE})
public class NotifyWriteBenchmark {
    @Param({"none", "one"})
    public String subscribers;

    private Path dir;
    private SharedArray<Long> map;
    private LongSlots slots;
    private ChangeCursor cursor;
    int index = 3;

    @Setup
    public void setUp() {
        dir = MappedFiles.tempDir();
        map = SharedArray.create(MapSpec.array("notify", Codec.i64(), 64).dir(dir));
        slots = map.longs();
        if (subscribers.equals("one")) cursor = map.changes();
    }

    @TearDown
    public void tearDown() {
        if (cursor != null) cursor.close();
        map.close();
        MappedFiles.deleteTree(dir);
    }

    @Benchmark
    public long getAndAdd() {
        return slots.getAndAdd(index, 1);
    }
}
