package dev.mapsync;

import java.util.Optional;

/**
 * A running {@link SharedArray#watch watch}: a thread that mapsync manages delivers change events to a listener
 * until the subscription is closed. A listener that throws ends the subscription: the exception is kept
 * ({@link #failure()}) and logged once, with the map's name, through {@link System.Logger} ({@code dev.mapsync}).
 *
 * <p><b>Threads.</b> Safe to share between threads: any thread may close it (the listener too), once or many times
 * at once; the subscription ends once. Its delivering thread uses the map's handle, so a subscription that is never
 * closed keeps the handle open too.
 */
public interface Subscription extends AutoCloseable {
    /** The exception the listener threw, which ended the subscription, if it did. */
    Optional<Throwable> failure();

    /** True until the subscription is closed or its listener failed. */
    boolean isActive();

    /** Stops delivery and waits for the delivering thread to end. Idempotent. */
    @Override
    void close();
}
