package dev.mapsync.bench.threads;

import dev.mapsync.Codec;
import dev.mapsync.LockGuard;
import dev.mapsync.LongSlots;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import dev.mapsync.bench.MappedFiles;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * T threads of one process, platform or virtual, each taking one lock N times around an increment of a shared counter
 * (plain read and write, correct only under the lock): a mapsync entry lock through one handle, and a
 * {@link ReentrantLock}. Each mode runs a number of rounds; the first half warms up, and the median of the second
 * half's rates is printed, with the counter checked after every round.
 * Run: {@code java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar
 * dev.mapsync.bench.threads.ThreadsLockBench [platform|virtual] [threads] [locks a thread] [rounds]}.
 */
public final class ThreadsLockBench {
    private ThreadsLockBench() {}

    public static void main(String[] args) throws Exception {
        boolean virtual = args.length > 0 && args[0].equals("virtual");
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : virtual ? 100 : 4;
        long n = args.length > 2 ? Long.parseLong(args[2]) : 200_000;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 6;
        if (threads < 1 || n < 1 || rounds < 2) {
            throw new IllegalArgumentException("threads, locks a thread and rounds: at least 1, 1 and 2");
        }
        Path dir = MappedFiles.tempDir();
        try (SharedArray<Long> map = SharedArray.create(MapSpec.array("threads", Codec.i64(), 1).dir(dir))) {
            LongSlots counter = map.longs();
            double mapsync = median(rounds, () -> run(virtual, threads, n, () -> {
                try (LockGuard held = map.lock(0)) {
                    counter.setPlain(0, counter.getPlain(0) + 1);
                }
            }, () -> counter.getVolatile(0)));
            ReentrantLock lock = new ReentrantLock();
            long[] plain = new long[1];
            double reentrant = median(rounds, () -> run(virtual, threads, n, () -> {
                lock.lock();
                try {
                    plain[0]++;
                } finally {
                    lock.unlock();
                }
            }, () -> plain[0])); // read after the threads' join (and before their start): no lock needed
            System.out.printf(Locale.ROOT, "%d %s threads x %,d lock/increment/unlock: mapsync %.2f Mops/s,"
                    + " ReentrantLock %.2f Mops/s, mapsync / ReentrantLock %.2fx%n", threads,
                    virtual ? "virtual" : "platform", n, mapsync / 1e6, reentrant / 1e6, mapsync / reentrant);
        } finally {
            MappedFiles.deleteTree(dir);
        }
    }

    private interface Round {
        double rate() throws InterruptedException;
    }

    /** The median rate of the second half of {@code rounds} rounds. */
    private static double median(int rounds, Round round) throws InterruptedException {
        double[] rates = new double[rounds - rounds / 2];
        for (int r = 0; r < rounds; r++) {
            double rate = round.rate();
            if (r >= rounds / 2) rates[r - rounds / 2] = rate;
        }
        Arrays.sort(rates);
        return rates.length % 2 == 1 ? rates[rates.length / 2]
                : (rates[rates.length / 2 - 1] + rates[rates.length / 2]) / 2;
    }

    /**
     * One round: the threads start together, each runs {@code locked} {@code n} times; returns locks a second.
     *
     * @throws IllegalStateException if the counter the round incremented ({@code counter}) did not grow by exactly
     *                               the locks taken
     */
    private static double run(boolean virtual, int threads, long n, Runnable locked, LongSupplier counter)
            throws InterruptedException {
        long before = counter.getAsLong();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> started = new ArrayList<>();
        Runnable body = () -> {
            try {
                go.await();
            } catch (InterruptedException e) {
                return;
            }
            for (long i = 0; i < n; i++) locked.run();
        };
        for (int t = 0; t < threads; t++) {
            started.add(virtual ? Thread.ofVirtual().start(body) : Thread.ofPlatform().start(body));
        }
        long start = System.nanoTime();
        go.countDown();
        for (Thread t : started) t.join();
        double rate = threads * n * 1e9 / (System.nanoTime() - start);
        long counted = counter.getAsLong() - before;
        if (counted != threads * n) {
            throw new IllegalStateException("the counter grew by " + counted + ", not " + threads * n);
        }
        return rate;
    }
}
