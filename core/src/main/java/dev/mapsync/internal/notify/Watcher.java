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
 * listener one by one, until closed or until the listener throws. An end that nobody asked for (the listener threw,
 * or reading failed) is kept for {@link #failure()} and logged once through {@link System.Logger}
 * {@value #LOGGER}, so that it reaches the application's logging instead of passing in silence.
 *
 * @param <E> the events: an array's {@code ChangeEvent}s or a hash map's {@code KeyChangeEvent}s
 */
public final class Watcher<E> implements Subscription {
    /** The name of the logger mapsync reports through. */
    public static final String LOGGER = LibraryLogger.NAME;
    private static final Duration SLICE = Duration.ofMillis(100);

    private final Thread thread;
    private final AutoCloseable source;
    private final String mapName;
    private volatile boolean running = true;
    private volatile Throwable failure;

    /**
     * @param name    the delivering thread's name
     * @param mapName the watched map, for the log
     * @param poll    returns the next events, waiting at most the given time
     * @param source  what to close when the watch ends
     */
    public Watcher(String name, String mapName, Function<Duration, ? extends List<? extends E>> poll,
                   AutoCloseable source, Consumer<? super E> listener) {
        this.source = source;
        this.mapName = mapName;
        this.thread = Thread.ofPlatform().daemon().name(name).unstarted(() -> {
            try {
                while (running) {
                    for (E e : poll.apply(SLICE)) {
                        if (!running) return;
                        try {
                            listener.accept(e);
                        } catch (Throwable t) {
                            failed(t, "its listener threw");
                            return;
                        }
                    }
                }
            } catch (Throwable t) {
                failed(t, "reading its changes failed");
            } finally {
                running = false;
            }
        });
        thread.start();
    }

    /** Keeps and logs what ended the watch, unless it was closed meanwhile (then the end was asked for). */
    private void failed(Throwable t, String how) {
        if (!running) return;
        failure = t;
        try {
            LibraryLogger.get().log(System.Logger.Level.ERROR, () -> "the watch of map '" + mapName + "' ended: " + how + " (" + t
                    + "); no more changes are delivered to that listener (Subscription.failure() holds the exception)",
                    t);
        } catch (RuntimeException logging) {
            // a logger that fails must not hide the failure: failure() still holds it
        }
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
