package dev.mapsync.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A number of threads, all platform or all virtual, that start one task each at the same moment and must all end
 * within a limit: the way applications share one handle. Any exception a task throws fails the run, with every
 * other one attached, so an internal error is never lost behind a count that happened to be right.
 */
public final class Crowd {
    private Crowd() {}

    /** Which threads a crowd is made of. */
    public enum Kind {
        PLATFORM, VIRTUAL;

        public Thread.Builder builder() {
            return this == PLATFORM ? Thread.ofPlatform().daemon() : Thread.ofVirtual();
        }
    }

    /** One thread's work; {@code thread} is its number, from 0. */
    @FunctionalInterface
    public interface Task {
        void run(int thread) throws Exception;
    }

    /**
     * Runs {@code task} on {@code threads} threads of {@code kind} at once and waits for them all, at most {@code limit}.
     *
     * @throws AssertionError if a task threw (the first as the cause, the others suppressed) or did not end in time
     */
    public static void run(Kind kind, int threads, Duration limit, Task task) {
        start(kind, threads, limit, task).await(limit);
    }

    /**
     * Starts {@code task} on {@code threads} threads of {@code kind} at once, once all of them have started (at most
     * {@code limit}), and returns without waiting for them.
     */
    public static Running start(Kind kind, int threads, Duration limit, Task task) {
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int number = t;
            started.add(kind.builder().name("crowd-" + t).start(() -> {
                ready.countDown();
                try {
                    go.await();
                    task.run(number);
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        try {
            if (!ready.await(limit.toMillis(), TimeUnit.MILLISECONDS)) throw new AssertionError("threads did not start");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        go.countDown();
        return new Running(kind, started, failures);
    }

    /** A crowd whose tasks run. */
    public record Running(Kind kind, List<Thread> threads, Queue<Throwable> failures) {
        /**
         * Waits for every thread, at most {@code limit}.
         *
         * @throws AssertionError if a task threw (the first as the cause, the others suppressed) or did not end in time
         */
        public void await(Duration limit) {
            long deadline = System.nanoTime() + limit.toNanos();
            try {
                for (Thread t : threads) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || !t.join(Duration.ofNanos(left))) {
                        AssertionError stuck = new AssertionError(kind + " thread " + t.getName() + " did not end within "
                                + limit + "; it is at:");
                        Throwable where = new Throwable(t.getName());
                        where.setStackTrace(t.getStackTrace());
                        stuck.addSuppressed(where);
                        failures.forEach(stuck::addSuppressed);
                        throw stuck;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            if (!failures.isEmpty()) {
                Throwable first = failures.poll();
                AssertionError failed = new AssertionError(kind + " threads threw: " + first, first);
                failures.forEach(failed::addSuppressed);
                throw failed;
            }
        }

        /** True when every thread is parked or asleep (or done). */
        public boolean allWaiting() {
            return threads.stream().allMatch(t -> switch (t.getState()) {
                case WAITING, TIMED_WAITING, TERMINATED -> true;
                default -> false;
            });
        }
    }
}
