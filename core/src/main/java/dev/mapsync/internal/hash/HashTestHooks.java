package dev.mapsync.internal.hash;

/**
 * A way for tests to stop a writer in the middle of a hash map write window, so that they can kill it there and show
 * what readers and the next lock owner then see. Set the system property {@code mapsync.test.pauseHashWindow} to
 * {@code N}: the N-th write window this process opens (counted from 1) prints {@code paused mid-window} on stdout
 * after its first change to the segment, then sleeps for ever. A kernel hash map's "window" is the time between its
 * lookup and its update, with the key's stripe locked. Unset (the normal case) the check folds away.
 */
public final class HashTestHooks {
    private HashTestHooks() {}

    private static final int PAUSE_WINDOW = Integer.getInteger("mapsync.test.pauseHashWindow", 0);
    public static final boolean ENABLED = PAUSE_WINDOW > 0;
    private static int windows;

    /** Counts a window being opened. */
    public static void opened() {
        if (ENABLED) windows++;
    }

    /** Called after a window's first change. */
    public static void midWindow() {
        if (ENABLED && windows == PAUSE_WINDOW) pauseForever();
    }

    private static void pauseForever() {
        System.out.println("paused mid-window");
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
