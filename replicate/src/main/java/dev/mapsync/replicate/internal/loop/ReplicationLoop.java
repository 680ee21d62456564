package dev.mapsync.replicate.internal.loop;

import dev.mapsync.replicate.ReplicationStatus;

/**
 * A leader's or follower's loop, run by one thread ({@link LoopThread}), and what other threads read of it: its
 * latest status and what ended it.
 */
public abstract class ReplicationLoop implements Runnable {
    protected volatile boolean stopping;
    protected volatile ReplicationStatus status;
    protected volatile Throwable failure;

    /** {@return the latest status} */
    public final ReplicationStatus status() {
        return status;
    }

    /** {@return what ended the loop, or null} */
    public final Throwable failure() {
        return failure;
    }

    /** Asks the loop to end, soon. */
    public final void stop() {
        stopping = true;
    }

    /** After the loop ended: releases what it held and says so in the status file. */
    public abstract void stopped();
}
