package dev.mapsync.bench.ring;

import dev.mapsync.bench.JvmFlags;
import dev.mapsync.bench.MappedFiles;
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
import java.util.function.LongConsumer;

/**
 * The cost of a ring's calls in one thread, mapsync's {@code SharedRing} against Agrona's
 * {@code ManyToOneRingBuffer}, both over /dev/shm and used as the cross-process ring driver uses them: a look at an
 * empty ring (what a spinning consumer does until a record comes, so it also bounds how soon it sees one), and one
 * 32-byte record offered and drained. No other process touches the rings, so this is the calls' own work, without
 * the cache-line transfers that dominate a round trip between processes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {JvmFlags.NATIVE, JvmFlags.AGRONA})
public class RingBenchmark {
    private static final int CAPACITY = 1 << 16, LENGTH = 32;

    private Path dir;
    private BenchRing mapsync, agrona;
    private final Sink sink = new Sink();

    /** Keeps the values read, so that the JIT cannot drop the reads. */
    static final class Sink implements LongConsumer {
        long last;

        @Override
        public void accept(long value) {
            last = value;
        }
    }

    @Setup
    public void setUp() {
        dir = MappedFiles.tempDir();
        mapsync = MapsyncBenchRing.create(dir, "ring", CAPACITY, LENGTH);
        agrona = AgronaBenchRing.open(dir.resolve("agrona"), CAPACITY, LENGTH);
    }

    @TearDown
    public void tearDown() {
        mapsync.close();
        agrona.close();
        MappedFiles.deleteTree(dir);
    }

    @Benchmark
    public int emptyDrain_mapsync() {
        return mapsync.drain(sink, 1);
    }

    @Benchmark
    public int emptyDrain_agrona() {
        return agrona.drain(sink, 1);
    }

    @Benchmark
    public long offerDrain_mapsync() {
        mapsync.offer(7, LENGTH);
        mapsync.drain(sink, 1);
        return sink.last;
    }

    @Benchmark
    public long offerDrain_agrona() {
        agrona.offer(7, LENGTH);
        agrona.drain(sink, 1);
        return sink.last;
    }
}
