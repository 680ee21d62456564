package dev.mapsync.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting for a condition, polled every 10 ms, with a deadline (60 s unless told): never a fixed sleep. */
public final class Await {
    private Await() {}

    public static void until(String what, BooleanSupplier condition) {
        until(what, Duration.ofSeconds(60), condition);
    }

    public static void until(String what, BooleanSupplier condition, java.util.function.Supplier<String> diagnosis) {
        try {
            until(what, condition);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + diagnosis.get(), e);
        }
    }

    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }
}
