package dev.mapsync.cli.chaos;

import java.util.concurrent.locks.LockSupport;

/**
 * A thread of the coordinator that checks the maps while the workers run: it repeats its task, resting
 * {@code restNanos} between turns so that the workers get the CPU, and, if it is pausable, rests while the soak is
 * paused (saying so, so that the coordinator checks the maps only once it is still). What its task throws is a
 * finding.
 */
final class Observer {
    private final String name;
    private final Runnable task;
    private final long restNanos;
    private final boolean pausable;
    private final Control control;
    private final Findings findings;
    private final Thread thread;
    private volatile boolean stopped;
    private volatile long pausedAt;

    Observer(String name, Runnable task, long restNanos, boolean pausable, Control control, Findings findings) {
        this.name = name;
        this.task = task;
        this.restNanos = restNanos;
        this.pausable = pausable;
        this.control = control;
        this.findings = findings;
        this.thread = Thread.ofPlatform().name("chaos-" + name).daemon().unstarted(this::loop);
    }

    void start() {
        thread.start();
    }

    private void loop() {
        while (!stopped) {
            long state = control.state();
            if (state == Control.STOP) return;
            if (pausable && !Control.isRunning(state)) {
                pausedAt = state;
                LockSupport.parkNanos(1_000_000);
                continue;
            }
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                if (stopped) return;
                findings.violation(name + ": " + e);
                LockSupport.parkNanos(100_000_000); // not a busy loop of the same failure
            }
            if (restNanos > 0) LockSupport.parkNanos(restNanos);
        }
    }

    /** True once a pausable observer is still for {@code state}; an observer that never pauses is always ready. */
    boolean pausedAt(long state) {
        return !pausable || pausedAt == state;
    }

    String name() {
        return name;
    }

    /** Stops the thread and waits for it (at most {@code millis}); false if it did not end. */
    boolean stop(long millis) {
        stopped = true;
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }
}
