package dev.mapsync.bench.cross;

import dev.mapsync.ArraySpec;
import dev.mapsync.CounterSpec;
import dev.mapsync.SharedCounters;
import dev.mapsync.Codec;
import dev.mapsync.LongSlots;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * P processes each adding 1 to the same shared 64-bit counter N times, through a mapsync map ({@code mapsync}),
 * through Agrona's {@link UnsafeBuffer} over a mapped /dev/shm file ({@code agrona}, the peer), through the JDK's own
 * {@link VarHandle} on a memory segment of such a file, held in a local variable ({@code ffm}: the least any code
 * pays without {@code sun.misc.Unsafe}) and in a final field of an object ({@code ffm-field}: where an API that hands
 * out objects keeps it, the floor under mapsync's figure), and to one sharded
 * counter ({@link SharedCounters}, {@code sharded}: each process adds into a cell of its own). The processes start
 * together on a gate, after each has warmed up on a counter of its own; the rate counts from the go to the last
 * one's end. The final count must be exact. {@link #readCosts} times what reading the value costs in each.
 * Run: {@code java --enable-native-access=ALL-UNNAMED --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED
 * -cp bench/target/benchmarks.jar dev.mapsync.bench.cross.CounterBench [n] [processes...]}.
 */
public final class CounterBench {
    /** The combined rate of one mode at one process count. */
    public record Result(String mode, int processes, long operations, double opsPerSecond, boolean exact) {}

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final int WARMUP_ROUNDS = 20;
    private static final long WARMUP_ADDS = 100_000;

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            child(args[1], Path.of(args[2]), Integer.parseInt(args[3]), Long.parseLong(args[4]));
            return;
        }
        long n = args.length > 0 ? Long.parseLong(args[0]) : 2_000_000;
        List<Integer> counts = new ArrayList<>();
        for (int i = 1; i < args.length; i++) counts.add(Integer.parseInt(args[i]));
        if (counts.isEmpty()) counts = List.of(1, 2, 4);
        for (Result r : run(List.of("sharded", "mapsync", "agrona", "ffm", "ffm-field"), counts, n)) {
            System.out.printf("%-8s %d processes x %,d adds to one counter: %,.0f ops/s, count %s%n", r.mode(),
                    r.processes(), r.operations() / r.processes(), r.opsPerSecond(), r.exact() ? "exact" : "WRONG");
        }
        for (ReadCost c : readCosts(List.of(1, 2, 4, 16), 2_000_000)) {
            System.out.printf("sum of %d cells %.2f ns, one slot's read %.2f ns; uncontended add %.2f ns, getAndAdd %.2f ns%n",
                    c.cells(), c.sumNanos(), c.slotReadNanos(), c.shardedAddNanos(), c.slotAddNanos());
        }
    }

    public static List<Result> run(List<String> modes, List<Integer> processCounts, long n) throws Exception {
        List<Result> out = new ArrayList<>();
        for (int p : processCounts) {
            for (String mode : modes) out.add(runOne(mode, p, n));
        }
        return out;
    }

    private static Result runOne(String mode, int processes, long n) throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "mapsync-counters-");
        try (Gate gate = Gate.create(dir, processes);
             SharedArray<Long> counter = SharedArray.create(counterSpec(dir, processes));
             SharedCounters sharded = SharedCounters.create(shardedSpec(dir))) {
            if (mode.equals("agrona")) agronaBuffer(dir).getAndAddLong(0, 0); // creates the file
            if (mode.startsWith("ffm")) ffmSegment(dir); // creates the file
            List<Process> children = new ArrayList<>();
            for (int i = 0; i < processes; i++) {
                children.add(Child.start(CounterBench.class, "child", mode, dir.toString(), Integer.toString(processes),
                        Long.toString(n)));
            }
            double seconds = gate.run(children, mode);
            long total = switch (mode) {
                case "agrona" -> agronaBuffer(dir).getLongVolatile(0);
                case "ffm", "ffm-field" -> (long) LONG.getVolatile(ffmSegment(dir), 0L);
                case "sharded" -> sharded.sum(0);
                default -> counter.longs().get(0);
            };
            return new Result(mode, processes, processes * n, processes * n / seconds, total == processes * n);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static void child(String mode, Path dir, int processes, long n) throws Exception {
        if (mode.equals("sharded")) {
            shardedChild(dir, processes, n);
            return;
        }
        try (Gate gate = Gate.open(dir, processes);
             SharedArray<Long> counter = SharedArray.open(counterSpec(dir, processes))) {
            LongSlots c = counter.longs();
            UnsafeBuffer buffer = mode.equals("agrona") ? agronaBuffer(dir) : null;
            MemorySegment segment = mode.equals("ffm") ? ffmSegment(dir) : null;
            FieldCounter field = mode.equals("ffm-field") ? new FieldCounter(ffmSegment(dir)) : null;
            // the same method on a slot of this process's own, until the JIT has compiled it: the clock then
            // measures the shared counter, not the warm-up of a fresh JVM
            int own = gate.number();
            for (int round = 0; round < WARMUP_ROUNDS; round++) {
                if (buffer != null) add(buffer, own * Long.BYTES, WARMUP_ADDS);
                else if (segment != null) add(segment, own * Long.BYTES, WARMUP_ADDS);
                else if (field != null) add(field, own, WARMUP_ADDS);
                else add(c, own, WARMUP_ADDS);
            }
            gate.readyThenAwaitGo();
            if (buffer != null) add(buffer, 0, n);
            else if (segment != null) add(segment, 0, n);
            else if (field != null) add(field, 0, n);
            else add(c, 0, n);
            gate.ended();
        }
    }

    /** Counter 1 of the sharded map to warm up on (this process's cell of it), then counter 0, both its own cells. */
    private static void shardedChild(Path dir, int processes, long n) throws Exception {
        try (Gate gate = Gate.open(dir, processes);
             SharedCounters c = SharedCounters.open(shardedSpec(dir))) {
            for (int round = 0; round < WARMUP_ROUNDS; round++) add(c, 1, WARMUP_ADDS);
            gate.readyThenAwaitGo();
            add(c, 0, n);
            gate.ended();
        }
    }

    private static void add(SharedCounters counter, int index, long n) {
        for (long i = 0; i < n; i++) counter.add(index, 1);
    }

    private static CounterSpec shardedSpec(Path dir) {
        return MapSpec.counters("sharded", 2).dir(dir);
    }

    /**
     * What reading a counter's value costs, in one process, single-threaded, compiled: {@link SharedCounters#sum} of a
     * counter with {@code cells} used cells against {@link LongSlots#getVolatile} of one slot; and what an add costs
     * there, uncontended: {@link SharedCounters#add} against {@link LongSlots#getAndAdd}. Nanoseconds, best of rounds.
     */
    public record ReadCost(int cells, double sumNanos, double slotReadNanos, double shardedAddNanos, double slotAddNanos) {}

    public static List<ReadCost> readCosts(List<Integer> cellCounts, long reads) throws Exception {
        List<ReadCost> out = new ArrayList<>();
        for (int cells : cellCounts) {
            Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "mapsync-sums-");
            List<SharedCounters> handles = new ArrayList<>();
            try (SharedArray<Long> slot = SharedArray.create(MapSpec.array("slot", Codec.i64(), 1).dir(dir))) {
                handles.add(SharedCounters.create(MapSpec.counters("sums", 1).dir(dir)));
                for (int i = 1; i < cells; i++) handles.add(SharedCounters.open(MapSpec.counters("sums", 1).dir(dir)));
                for (SharedCounters h : handles) h.add(0, 1); // each handle's slot marked, a cell each
                SharedCounters c = handles.getFirst();
                LongSlots s = slot.longs();
                double sum = Double.MAX_VALUE, get = Double.MAX_VALUE, add = Double.MAX_VALUE, getAndAdd = Double.MAX_VALUE;
                long sink = 0;
                for (int round = 0; round < 10; round++) {
                    long t0 = System.nanoTime();
                    for (long i = 0; i < reads; i++) sink += c.sum(0);
                    long t1 = System.nanoTime();
                    for (long i = 0; i < reads; i++) sink += s.getVolatile(0);
                    long t2 = System.nanoTime();
                    for (long i = 0; i < reads; i++) c.add(0, 1);
                    long t3 = System.nanoTime();
                    for (long i = 0; i < reads; i++) s.getAndAdd(0, 1);
                    long t4 = System.nanoTime();
                    sum = Math.min(sum, (t1 - t0) / (double) reads);
                    get = Math.min(get, (t2 - t1) / (double) reads);
                    add = Math.min(add, (t3 - t2) / (double) reads);
                    getAndAdd = Math.min(getAndAdd, (t4 - t3) / (double) reads);
                }
                if (sink == 42) System.err.print(""); // keeps the reads
                out.add(new ReadCost(cells, sum, get, add, getAndAdd));
            } finally {
                handles.forEach(SharedCounters::close);
                try (var files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
        return out;
    }

    private static void add(LongSlots counter, int index, long n) {
        for (long i = 0; i < n; i++) counter.getAndAdd(index, 1);
    }

    private static void add(UnsafeBuffer counter, int offset, long n) {
        for (long i = 0; i < n; i++) counter.getAndAddLong(offset, 1);
    }

    private static void add(MemorySegment counter, long offset, long n) {
        for (long i = 0; i < n; i++) {
            long ignored = (long) LONG.getAndAdd(counter, offset, 1L);
        }
    }

    /** Value 0 is the shared counter; value 1 + i is child i's own, for its warm-up. */
    private static ArraySpec<Long> counterSpec(Path dir, int processes) {
        return MapSpec.array("counter", Codec.i64(), 1 + processes).dir(dir);
    }

    /** The {@code ffm-field} mode's counter: the segment in a final field, as {@link LongSlots} keeps its own. */
    private record FieldCounter(MemorySegment segment) {
        long getAndAdd(int index, long delta) {
            return (long) LONG.getAndAdd(segment, index * (long) Long.BYTES, delta);
        }
    }

    private static void add(FieldCounter counter, int index, long n) {
        for (long i = 0; i < n; i++) counter.getAndAdd(index, 1);
    }

    /** The {@code ffm} modes' counter: a /dev/shm file mapped as a segment of a shared arena, as mapsync maps. */
    private static MemorySegment ffmSegment(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir.resolve("ffm"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ch.truncate(4096);
            return ch.map(FileChannel.MapMode.READ_WRITE, 0, 4096, Arena.ofShared());
        }
    }

    private static UnsafeBuffer agronaBuffer(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir.resolve("agrona"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ch.truncate(4096);
            MappedByteBuffer b = ch.map(FileChannel.MapMode.READ_WRITE, 0, 4096);
            return new UnsafeBuffer(b);
        }
    }
}
