package dev.mapsync;

import java.util.Optional;

/**
 * A running {@link SharedArray#watch watch}: a thread that mapsync manages delivers change events to a listener
 * until the subscription is closed.
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
