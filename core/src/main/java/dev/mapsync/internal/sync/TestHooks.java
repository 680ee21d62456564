package dev.mapsync.internal.sync;

/**
 * A way for tests to stop a writer in the middle of a write, so that they can kill it there and show what readers
 * and the next lock owner then see. Set the system property {@code mapsync.test.pauseWritingIndex} to an entry
 * index: a write of that entry prints {@code paused mid-write} on stdout after making its stripe's sequence odd,
 * then sleeps for ever. Unset (the normal case) the check folds away.
 */
final class TestHooks {
    private TestHooks() {}

    private static final int PAUSE_INDEX = Integer.getInteger("mapsync.test.pauseWritingIndex", -1);

    static void midWrite(int index) {
        if (PAUSE_INDEX >= 0 && index == PAUSE_INDEX) pauseForever();
    }

    private static void pauseForever() {
        System.out.println("paused mid-write");
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
