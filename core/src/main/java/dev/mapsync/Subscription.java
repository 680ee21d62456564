package dev.mapsync;

import java.util.Optional;

/**
 * A running {@link SharedArray#watch watch} (or {@link SharedHashMap#watch}): a thread that mapsync manages delivers
 * change events to a listener until the subscription is closed. A listener that throws ends the subscription: the
 * exception is kept ({@link #failure()}) and logged once, with the map's name, through {@link System.Logger}
 * ({@code dev.mapsync}). So does a failure to read the changes: a corrupt change log ({@link CorruptMapException}),
 * or the map's handle closed before the subscription ({@link MapClosedException}), so close the subscription first.
 *
 * <p><b>Threads.</b> Safe to share between threads: any thread may close it (the listener too), once or many times
 * at once; the subscription ends once. Its delivering thread uses the map's handle, so a subscription that is never
 * closed keeps the handle open too.
 */
public interface Subscription extends AutoCloseable {
    /**
     * {@return the exception that ended the subscription: the listener's, or the failure to read the changes (such
     * as a {@link CorruptMapException}); empty while it runs, and when a close ended it}
     */
    Optional<Throwable> failure();

    /** {@return true until the subscription is closed or its listener failed} */
    boolean isActive();

    /**
     * Stops delivery and waits for the delivering thread to end (unless the listener itself closes it, on that thread).
     * Idempotent.
     */
    @Override
    void close();
}
