package dev.mapsync.bench.cross;

import dev.mapsync.ArraySpec;
import dev.mapsync.Codec;
import dev.mapsync.LockGuard;
import dev.mapsync.LongSlots;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import dev.mapsync.bench.MappedFiles;
import dev.mapsync.internal.sys.Futex;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Two processes contending for one lock: each takes it, increments a shared counter with a plain read and write
 * (correct only under the lock), and releases it, N times. Both first warm up on a lock and counter of their own,
 * then start together on a gate; the rate counts from the go to the last one's end, and the counter must be exact.
 * Fairness is the acquisitions of the slower process while both ran (when the first one ended) per the faster's: 1
 * for even turns, near 0 when one process keeps the lock. Modes: {@code mapsync} (an entry lock), {@code futex} (the
 * least a sleeping lock over a shared memory segment is in Java: a word that is 0 free, 1 held and 2 held with
 * sleepers, taken with a compare-and-set, slept on with {@code FUTEX_WAIT} and released with an exchange that says
 * whether to {@code FUTEX_WAKE} one, as glibc's mutex does at heart; no owner recorded, no spin, no guard, no
 * timeout), {@code flock} ({@link FileChannel#lock}, the JDK's cross-process lock) and {@code glibc} (a robust
 * process-shared {@code pthread_mutex_t}, {@link GlibcMutex}). {@link #uncontended} times one process's lock and
 * unlock.
 * Run: {@code java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar
 * dev.mapsync.bench.cross.LockContentionBench [n]}.
 */
public final class LockContentionBench {
    /** The combined rate of one mode and whether the counter came out exact. */
    public record Result(String mode, long operations, double opsPerSecond, boolean exact, double fairness) {}

    private static final int PROCESSES = 2;
    private static final int WARMUP_ROUNDS = 20;
    private static final long WARMUP_LOCKS = 10_000;
    /** Warm-up rounds in a row in which the JIT compiled nothing, and the most rounds waited for them. */
    private static final int SETTLED_ROUNDS = 10, MAX_WARMUP_ROUNDS = 2_000;

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            child(args[1], Path.of(args[2]), Long.parseLong(args[3]));
            return;
        }
        if (args.length > 0 && args[0].equals("uncontended")) {
            uncontendedChild(Path.of(args[1]), Long.parseLong(args[2]));
            return;
        }
        long n = args.length > 0 ? Long.parseLong(args[0]) : 200_000;
        for (Result r : run(List.of("mapsync", "futex", "flock", "glibc"), n)) {
            System.out.printf("%-8s 2 processes x %,d lock/increment/unlock: %,.0f ops/s, counter %s, fairness %.3f%n",
                    r.mode(), r.operations() / 2, r.opsPerSecond(), r.exact() ? "exact" : "WRONG", r.fairness());
        }
        Uncontended u = uncontended(n * 10);
        System.out.printf("uncontended lock/increment/unlock: mapsync %.2f ns, bare segment lock %.2f ns, glibc %.2f ns%n",
                u.mapsyncNanos(), u.bareNanos(), GlibcMutex.uncontended(n * 10));
    }

    public static List<Result> run(List<String> modes, long n) throws Exception {
        List<Result> out = new ArrayList<>();
        for (String mode : modes) {
            if (mode.equals("glibc")) {
                out.add(GlibcMutex.contended(PROCESSES, n));
                continue;
            }
            Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "mapsync-contention-");
            try (Gate gate = Gate.create(dir, PROCESSES);
                 SharedArray<Long> map = SharedArray.create(counterSpec(dir))) {
                List<Process> children = new ArrayList<>();
                for (int i = 0; i < PROCESSES; i++) {
                    children.add(Child.start(LockContentionBench.class, "child", mode, dir.toString(), Long.toString(n)));
                }
                double seconds = gate.run(children, mode);
                LongSlots slots = map.longs();
                long least = Long.MAX_VALUE, most = 0;
                for (int i = 0; i < PROCESSES; i++) {
                    least = Math.min(least, slots.get(SEEN + i));
                    most = Math.max(most, slots.get(SEEN + i));
                }
                out.add(new Result(mode, PROCESSES * n, PROCESSES * n / seconds, slots.get(0) == PROCESSES * n,
                        most == 0 ? 0 : (double) least / most));
            } finally {
                MappedFiles.deleteTree(dir);
            }
        }
        return out;
    }

    private static void child(String mode, Path dir, long n) throws IOException {
        try (Gate gate = Gate.open(dir, PROCESSES);
             SharedArray<Long> map = SharedArray.open(counterSpec(dir));
             FileChannel flock = FileChannel.open(dir.resolve("flock"), StandardOpenOption.CREATE,
                     StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            LongSlots counters = map.longs();
            boolean mapsync = mode.equals("mapsync"), futex = mode.equals("futex");
            int own = gate.number(); // a lock and counter of this process's own, for the warm-up
            int progress = PROGRESS + (own - 1) * LINE;
            MemorySegment words = futex ? futexWords(dir) : null;
            if (mapsync) warmUpContended(dir, map, counters, own, progress);
            else if (futex) warmUpFutex(words, counters, own, progress);
            else for (int round = 0; round < WARMUP_ROUNDS; round++) lockAndAdd(flock, counters, own, WARMUP_LOCKS, progress);
            gate.readyThenAwaitGo();
            if (mapsync) lockAndAdd(map, counters, 0, n, progress);
            else if (futex) futexLockAndAdd(words, 0, counters, 0, n, progress);
            else lockAndAdd(flock, counters, 0, n, progress);
            gate.ended();
            if (counters.getAndAdd(ENDED, 1) == 0) {  // the first to end notes how far every process got
                for (int i = 0; i < PROCESSES; i++) counters.set(SEEN + i, counters.getAcquire(PROGRESS + i * LINE));
            }
        }
    }

    /**
     * Warms up the paths a contended lock takes as well as the uncontended one, until the JIT has nothing left to
     * compile: a thread with a second handle of the map (a token of its own, as another process has) takes the
     * process's own lock against the main thread. Warmed up alone for a fixed number of rounds, the measured run timed
     * the JIT recompiling the lock for contention, on the CPUs the run needed (a run of 500,000 locks per process was a
     * third as fast as one of 5,000,000).
     */
    private static void warmUpContended(Path dir, SharedArray<Long> map, LongSlots counters, int own, int progress) {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        AtomicBoolean warm = new AtomicBoolean();
        try (SharedArray<Long> second = SharedArray.open(counterSpec(dir))) {
            LongSlots secondCounters = second.longs();
            Thread rival = Thread.ofPlatform().start(() -> {
                while (!warm.get()) lockAndAdd(second, secondCounters, own, WARMUP_LOCKS, progress);
            });
            long compiled = -1;
            for (int round = 0, still = 0; round < WARMUP_ROUNDS || still < SETTLED_ROUNDS && round < MAX_WARMUP_ROUNDS;
                 round++) {
                lockAndAdd(map, counters, own, WARMUP_LOCKS, progress);
                long now = jit.getTotalCompilationTime();
                still = now == compiled ? still + 1 : 0;
                compiled = now;
            }
            warm.set(true);
            rival.join();
        } catch (InterruptedException e) {
            throw new IllegalStateException("interrupted while warming up", e);
        }
    }

    /**
     * One process's lock, increment and unlock of a lock no one else takes, in nanoseconds: the median of five rounds
     * of {@code n}, in a JVM of its own after a warm-up, as {@link GlibcMutex#uncontended} measures glibc's; with
     * {@code bare}, the same through the least a lock over a memory segment is (the floor under mapsync's figure): a
     * compare-and-set of a word from 0 to 1, and an exchange back to 0 (which tells an unlocker whether to wake
     * someone, as mapsync's and glibc's unlocks do), on a segment in a local variable, with no owner recorded and no
     * guard object.
     */
    public record Uncontended(double mapsyncNanos, double bareNanos) {}

    public static Uncontended uncontended(long n) throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "mapsync-uncontended-");
        try (SharedArray<Long> ignored = SharedArray.create(counterSpec(dir))) {
            Process child = Child.start(LockContentionBench.class, "uncontended", dir.toString(), Long.toString(n));
            String[] line = new String(child.getInputStream().readAllBytes()).trim().split(" ");
            if (child.waitFor() != 0 || line.length != 4 || !line[0].equals("ns_per_op") || !line[2].equals("bare")) {
                throw new IllegalStateException("uncontended lock: the child process failed (" + String.join(" ", line) + ")");
            }
            return new Uncontended(Double.parseDouble(line[1]), Double.parseDouble(line[3]));
        } finally {
            MappedFiles.deleteTree(dir);
        }
    }

    private static void uncontendedChild(Path dir, long n) throws IOException {
        try (SharedArray<Long> map = SharedArray.open(counterSpec(dir));
             FileChannel ch = FileChannel.open(dir.resolve("bare"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                     StandardOpenOption.WRITE)) {
            LongSlots counters = map.longs();
            ch.truncate(4096);
            MemorySegment bare = ch.map(FileChannel.MapMode.READ_WRITE, 0, 4096, Arena.ofShared());
            for (int round = 0; round < WARMUP_ROUNDS; round++) {
                lockAndAdd(map, counters, 1, WARMUP_LOCKS, PROGRESS);
                bareLockAndAdd(bare, WARMUP_LOCKS);
            }
            long[] rounds = new long[5], bareRounds = new long[5];
            for (int r = 0; r < rounds.length; r++) {
                long start = System.nanoTime();
                for (long i = 0; i < n; i++) {
                    try (LockGuard held = map.lock(0)) {
                        counters.setPlain(0, counters.getPlain(0) + 1);
                    }
                }
                long middle = System.nanoTime();
                bareLockAndAdd(bare, n);
                rounds[r] = middle - start;
                bareRounds[r] = System.nanoTime() - middle;
            }
            java.util.Arrays.sort(rounds);
            java.util.Arrays.sort(bareRounds);
            System.out.printf("ns_per_op %.3f bare %.3f%n", (double) rounds[2] / n, (double) bareRounds[2] / n);
        }
    }

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle(), LONG = ValueLayout.JAVA_LONG.varHandle();

    /** The bare lock: word at offset 0, counter at offset 64 (a line of its own, as the map's are). */
    private static void bareLockAndAdd(MemorySegment bare, long n) {
        for (long i = 0; i < n; i++) {
            while (!INT.compareAndSet(bare, 0L, 0, 1)) Thread.onSpinWait();
            LONG.set(bare, 64L, (long) LONG.get(bare, 64L) + 1);
            if ((int) INT.getAndSet(bare, 0L, 0) != 1) throw new IllegalStateException("the bare lock was not held");
        }
    }

    /** N times: lock, increment value {@code index}, unlock, and say how many so far at {@code progress}. */
    private static void lockAndAdd(SharedArray<Long> map, LongSlots counters, int index, long n, int progress) {
        for (long i = 1; i <= n; i++) {
            try (LockGuard held = map.lock(index)) {
                counters.setPlain(index, counters.getPlain(index) + 1);
            }
            counters.setRelease(progress, i);
        }
    }

    /** The futex mode's lock words, one a cache line: 0 is the shared lock, 1 + i process i's own. */
    private static MemorySegment futexWords(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir.resolve("futex"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            if (ch.size() < 4096) ch.truncate(4096); // the first to come sizes it; the size never changes after
            return ch.map(FileChannel.MapMode.READ_WRITE, 0, 4096, Arena.global()); // mapped for the process's life
        }
    }

    /**
     * Warms the futex lock up contended, as mapsync's is (see {@link #warmUpContended}): a second thread takes the
     * process's own lock against the main thread for the rounds.
     */
    private static void warmUpFutex(MemorySegment words, LongSlots counters, int own, int progress) {
        AtomicBoolean warm = new AtomicBoolean();
        Thread rival = Thread.ofPlatform().start(() -> {
            while (!warm.get()) futexLockAndAdd(words, own, counters, own, WARMUP_LOCKS, progress);
        });
        for (int round = 0; round < WARMUP_ROUNDS * 10; round++) {
            futexLockAndAdd(words, own, counters, own, WARMUP_LOCKS, progress);
        }
        warm.set(true);
        try {
            rival.join();
        } catch (InterruptedException e) {
            throw new IllegalStateException("interrupted while warming up", e);
        }
    }

    /** N times: take futex lock {@code lock}, increment value {@code index}, release, and note how many so far. */
    private static void futexLockAndAdd(MemorySegment words, int lock, LongSlots counters, int index, long n,
                                        int progress) {
        long word = lock * 64L, address = words.address() + word;
        for (long i = 1; i <= n; i++) {
            int c = (int) INT.compareAndExchange(words, word, 0, 1);
            if (c != 0) {
                if (c != 2) c = (int) INT.getAndSet(words, word, 2);
                while (c != 0) {
                    Futex.await(address, 2, Long.MAX_VALUE);
                    c = (int) INT.getAndSet(words, word, 2);
                }
            }
            counters.setPlain(index, counters.getPlain(index) + 1);
            if ((int) INT.getAndSet(words, word, 0) == 2) Futex.wake(address, 1);
            counters.setRelease(progress, i);
        }
    }

    /** Locks byte {@code index} of the file: processes that lock the same byte exclude each other. */
    private static void lockAndAdd(FileChannel flock, LongSlots counters, int index, long n, int progress) throws IOException {
        for (long i = 1; i <= n; i++) {
            try (FileLock held = flock.lock(index, 1, false)) {
                counters.setPlain(index, counters.getPlain(index) + 1);
            }
            counters.setRelease(progress, i);
        }
    }

    /**
     * Value 0 is the shared counter; value 1 + i is process i's own, for its warm-up; then the processes that ended,
     * how far each got when the first ended, and each one's progress, a cache line (8 values) apart so that noting it
     * does not slow the other.
     */
    private static final int ENDED = 1 + PROCESSES, SEEN = ENDED + 1, LINE = 8,
            PROGRESS = (SEEN + PROCESSES + LINE - 1) / LINE * LINE;

    private static ArraySpec<Long> counterSpec(Path dir) {
        return MapSpec.array("c", Codec.i64(), PROGRESS + PROCESSES * LINE).dir(dir);
    }
}
