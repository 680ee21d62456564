package dev.mapsync.bench;

import dev.mapsync.Codec;
import dev.mapsync.LockGuard;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedRing;
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

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What the Flight Recorder events cost the paths they sit on: an uncontended lock and unlock (no event: the wait
 * event is only begun by a waiter about to sleep) and an offer to a full ring (the {@code dev.mapsync.RingFull}
 * path, taken on every failed offer), without a recording and with one running. The {@code _recording} variants run
 * in a JVM started with {@code -XX:StartFlightRecording} (the JDK's default settings, which enable every
 * {@code dev.mapsync} event with its own defaults: RingFull throttled to 100 a second). The same class, run against
 * the library before the events existed, gives the figures without the event code (docs/BENCHMARKS.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {JvmFlags.NATIVE})
public class FlightRecorderBenchmark {
    /** A recording of the JDK's default settings, kept on disk in the JVM's repository and not dumped at exit. */
    static final String RECORDING = "-XX:StartFlightRecording:settings=default";

    private Path dir;
    private SharedArray<Long> counters;
    private SharedRing ring;
    private final byte[] record = new byte[64];

    @Setup
    public void setUp() throws IOException {
        dir = MappedFiles.tempDir();
        counters = SharedArray.create(MapSpec.array("locks", Codec.i64(), 64).dir(dir));
        ring = SharedRing.create(MapSpec.ring("full", 4096).dir(dir));
        while (ring.offer(record)) {
            // fill it: no consumer ever frees space
        }
    }

    @TearDown
    public void tearDown() throws IOException {
        counters.close();
        ring.close();
        MappedFiles.deleteTree(dir);
    }

    @Benchmark
    public boolean lockUnlock() {
        try (LockGuard held = counters.lock(3)) {
            return held.previousOwnerDied();
        }
    }

    @Benchmark
    public boolean offerToAFullRing() {
        return ring.offer(record);
    }

    @Benchmark
    @Fork(value = 2, jvmArgsAppend = {JvmFlags.NATIVE, RECORDING})
    public boolean lockUnlock_recording() {
        return lockUnlock();
    }

    @Benchmark
    @Fork(value = 2, jvmArgsAppend = {JvmFlags.NATIVE, RECORDING})
    public boolean offerToAFullRing_recording() {
        return offerToAFullRing();
    }
}
