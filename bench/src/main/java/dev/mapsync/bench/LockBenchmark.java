package dev.mapsync.bench;

import dev.mapsync.Codec;
import dev.mapsync.LockGuard;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
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
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Uncontended lock and unlock of a mapsync entry lock, against {@link ReentrantLock} (one process only) and
 * {@link FileChannel#lock} (the JDK's cross-process lock); and a consistent read of a 3-field record against a plain
 * read of the same three fields, and against the least a consistent read can cost (a hand-written seqlock).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {JvmFlags.NATIVE})
public class LockBenchmark {
    public record Trade(long id, double price, int qty) {}

    private Path dir;
    private SharedArray<Long> counters;
    private SharedArray<Trade> trades;
    private final ReentrantLock reentrant = new ReentrantLock();
    private FileChannel channel;
    private Arena arena;
    private MemorySegment raw;
    private MemorySegment rawSequences;
    private static final VarHandle SEQ = ValueLayout.JAVA_INT.varHandle();

    int index = 3;

    @Setup
    public void setUp() throws IOException {
        dir = MappedFiles.tempDir();
        counters = SharedArray.create(MapSpec.array("locks", Codec.i64(), 64).dir(dir));
        trades = SharedArray.create(MapSpec.array("trades", Trade.class, 64).dir(dir));
        trades.set(index, new Trade(7, 101.25, 300));
        channel = FileChannel.open(dir.resolve("flock"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        arena = Arena.ofShared();
        raw = MappedFiles.segment(dir.resolve("raw"), 64 * 24L, arena);
        rawSequences = MappedFiles.segment(dir.resolve("raw-sequences"), 64 * 64L, arena);
        long o = index * 24L;
        raw.set(ValueLayout.JAVA_LONG, o, 7);
        raw.set(ValueLayout.JAVA_DOUBLE, o + 8, 101.25);
        raw.set(ValueLayout.JAVA_INT, o + 16, 300);
    }

    @TearDown
    public void tearDown() throws IOException {
        counters.close();
        trades.close();
        channel.close();
        arena.close();
        MappedFiles.deleteTree(dir);
    }

    @Benchmark
    public boolean lockUnlock_mapsync() {
        try (LockGuard held = counters.lock(index)) {
            return held.previousOwnerDied();
        }
    }

    @Benchmark
    public boolean lockUnlock_reentrantLock() {
        reentrant.lock();
        try {
            return reentrant.isHeldByCurrentThread();
        } finally {
            reentrant.unlock();
        }
    }

    @Benchmark
    public boolean lockUnlock_fileChannelLock() {
        try (FileLock lock = channel.lock(index, 1, false)) {
            return lock.isValid();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Benchmark
    public Trade read_consistentRecord_mapsync() {
        return trades.get(index);
    }

    /**
     * The least a consistent read costs with checked memory segments: a sequence word read before and after three
     * plain loads, written out by hand over two raw segments (as a map keeps its sequence words apart from its
     * values), the record made once the sequence held. No torn-entry check, no retry limit, no map.
     */
    @Benchmark
    public Trade read_handWrittenSeqlock_rawSegments() {
        long o = index * 24L;
        long rec = index * 64L;
        while (true) {
            int s = (int) SEQ.getAcquire(rawSequences, rec);
            long id = raw.get(ValueLayout.JAVA_LONG, o);
            double price = raw.get(ValueLayout.JAVA_DOUBLE, o + 8);
            int qty = raw.get(ValueLayout.JAVA_INT, o + 16);
            VarHandle.loadLoadFence();
            if ((s & 1) == 0 && (int) SEQ.get(rawSequences, rec) == s) return new Trade(id, price, qty);
        }
    }

    @Benchmark
    public Trade read_plainRecord_rawSegment() {
        long o = index * 24L;
        return new Trade(raw.get(ValueLayout.JAVA_LONG, o), raw.get(ValueLayout.JAVA_DOUBLE, o + 8),
                raw.get(ValueLayout.JAVA_INT, o + 16));
    }
}
