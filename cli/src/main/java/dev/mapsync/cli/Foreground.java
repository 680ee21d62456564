package dev.mapsync.cli;

import java.util.function.Supplier;

/**
 * Runs a leader or follower in the foreground of the command: until SIGINT or SIGTERM, or until it stops on its own
 * because it failed. A signal starts the JVM's shutdown, whose hook closes it (its status file then says
 * {@code stopped}) and ends the process with exit 0: it was asked to stop, and did so cleanly, where the JVM's own
 * code for a signal (130, 143) would say it was killed.
 *
 * @param stopped waits until it stops on its own (its {@code awaitStopped})
 * @param failure what stopped it, or null
 * @param close   closes it (idempotent)
 */
record Foreground(Stopped stopped, Supplier<Throwable> failure, Runnable close) {
    /** Waits until a leader or follower stops. */
    @FunctionalInterface
    interface Stopped {
        void await() throws InterruptedException;
    }

    /**
     * Waits until it stops on its own, and closes it; on a signal, never returns (the shutdown hook ends the process).
     *
     * @return what stopped it: its failure, or null if it did not fail (the waiting thread was interrupted)
     */
    Throwable await() {
        Thread hook = new Thread(() -> {
            close.run();
            Runtime.getRuntime().halt(ExitCodes.OK);
        }, "mapsync-replicate-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // asked to stop by the thread's owner: close it as a signal would
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            joinForever(hook); // a signal came as it stopped: the hook closes it and exits 0
        }
        close.run();
        return failure.get();
    }

    private static void joinForever(Thread hook) {
        while (true) {
            try {
                hook.join();
            } catch (InterruptedException e) {
                // the hook halts the JVM: nothing to do but wait for it
            }
        }
    }
}
