package dev.mapsync.internal.ring;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A way for tests to stop a producer inside the reserve lock, right after it moved the producer position past a
 * record it claimed, so that they can kill it there and show that the other producers take the lock over and the
 * consumer skips that one record. Set the system property {@code mapsync.test.pauseInReserveAt} to N: the process's
 * N-th claim (counting from 0) prints {@code paused in reserve} on stdout and sleeps for ever. Unset (the normal
 * case) the check folds away.
 */
final class RingHooks {
    private RingHooks() {}

    private static final long PAUSE_AT = Long.getLong("mapsync.test.pauseInReserveAt", -1);
    private static final AtomicLong CLAIMS = new AtomicLong();

    static void inReserve() {
        if (PAUSE_AT >= 0 && CLAIMS.getAndIncrement() == PAUSE_AT) pauseForever();
    }

    private static void pauseForever() {
        System.out.println("paused in reserve");
        System.out.flush();
        while (true) {
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException ignored) {
                // a test kills this process; nothing else ends the pause
            }
        }
    }
}
