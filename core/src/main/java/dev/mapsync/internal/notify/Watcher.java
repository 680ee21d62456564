package dev.mapsync.internal.notify;

import dev.mapsync.MapSyncException;
import dev.mapsync.Subscription;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The thread behind a {@link Subscription}: it pulls batches of events from a source and hands them to the
 * listener one by one, until closed or until the listener throws.
 *
 * @param <E> the events: an array's {@code ChangeEvent}s or a hash map's {@code KeyChangeEvent}s
 */
public final class Watcher<E> implements Subscription {
    private static final Duration SLICE = Duration.ofMillis(100);

    private final Thread thread;
    private final AutoCloseable source;
    private volatile boolean running = true;
    private volatile Throwable failure;

    /**
     * @param poll   returns the next events, waiting at most the given time
     * @param source what to close when the watch ends
     */
    public Watcher(String name, Function<Duration, ? extends List<? extends E>> poll, AutoCloseable source,
                   Consumer<? super E> listener) {
        this.source = source;
        this.thread = Thread.ofPlatform().daemon().name(name).unstarted(() -> {
            try {
                while (running) {
                    for (E e : poll.apply(SLICE)) {
                        if (!running) return;
                        listener.accept(e);
                    }
                }
            } catch (Throwable t) {
                if (running) failure = t;
            } finally {
                running = false;
            }
        });
        thread.start();
    }

    @Override
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public boolean isActive() {
        return running;
    }

    @Override
    public void close() {
        running = false;
        if (Thread.currentThread() != thread) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            source.close();
        } catch (Exception e) {
            throw new MapSyncException("closing a watch: " + e.getMessage(), e);
        }
    }
}
