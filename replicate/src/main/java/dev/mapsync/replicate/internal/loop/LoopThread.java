package dev.mapsync.replicate.internal.loop;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A loop on a daemon thread of its own, named after its role and map. Thread-safe: any thread may ask whether it
 * runs, and close it, once or many times at once.
 */
public final class LoopThread implements AutoCloseable {
    private final ReplicationLoop loop;
    private final Thread thread;
    private final AtomicBoolean closed = new AtomicBoolean();

    public LoopThread(String name, ReplicationLoop loop) {
        this.loop = loop;
        this.thread = Thread.ofPlatform().name(name).daemon(true).start(loop);
    }

    /** {@return true while the loop runs: not closed, and nothing has failed} */
    public boolean isRunning() {
        return thread.isAlive();
    }

    /** Waits until the loop ends: closed, or failed. */
    public void join() throws InterruptedException {
        thread.join();
    }

    /** Stops the loop and waits for it to end, then lets it release what it held; the first close does this. */
    @Override
    public void close() {
        loop.stop();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closed.compareAndSet(false, true)) loop.stopped();
    }
}
