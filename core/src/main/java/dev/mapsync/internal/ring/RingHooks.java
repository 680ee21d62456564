package dev.mapsync.internal.ring;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A way for tests to stop a producer inside the reserve lock, so that they can kill it there and show that the
 * other producers take the lock over and the consumer loses at most that one record. Set the system property
 * {@code mapsync.test.pauseInReserveAt} to N: the process's N-th claim (counting from 0) prints
 * {@code paused in reserve} on stdout and sleeps for ever, after it moved the producer position past the record
 * (which is then part of the ring, claimed and never committed); {@code N:header} pauses it after it wrote the
 * header, before it moved the position (the record never becomes part of the ring). Unset (the normal case) the
 * checks fold away.
 */
final class RingHooks {
    private RingHooks() {}

    private static final String PAUSE = System.getProperty("mapsync.test.pauseInReserveAt", "");
    private static final long PAUSE_AT = PAUSE.isEmpty() ? -1 : Long.parseLong(PAUSE.split(":")[0]);
    private static final boolean BEFORE_POSITION = PAUSE.endsWith(":header");
    private static final AtomicLong CLAIMS = new AtomicLong();

    /** After the header, before the producer position moves. */
    static void afterHeader() {
        if (PAUSE_AT >= 0 && BEFORE_POSITION && CLAIMS.getAndIncrement() == PAUSE_AT) pauseForever();
    }

    /** After the producer position moved, still inside the reserve lock. */
    static void inReserve() {
        if (PAUSE_AT >= 0 && !BEFORE_POSITION && CLAIMS.getAndIncrement() == PAUSE_AT) pauseForever();
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
