package dev.mapsync.internal.hooks;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The places where a test can stop this process in the middle of a protocol step, so that it can kill the process
 * there and show what the others then see. Each is switched on by a system property read once at start; unset (the
 * normal case) {@link #ENABLED} is false, a constant the JIT folds, and every call site tests it first, so that the
 * hooks cost nothing on the paths they sit on.
 *
 * <table>
 * <caption>Hooks</caption>
 * <tr><th>property</th><th>where the process stops</th><th>what it prints</th></tr>
 * <tr><td>{@code mapsync.test.pauseWritingIndex=I}</td><td>a write of entry I, after its stripe's sequence went odd
 *     </td><td>{@code paused mid-write}</td></tr>
 * <tr><td>{@code mapsync.test.pauseInReserveAt=N}</td><td>the process's N-th ring claim (from 0), inside the reserve
 *     lock after the producer position moved past the record (claimed, never committed)</td>
 *     <td>{@code paused in reserve}</td></tr>
 * <tr><td>{@code mapsync.test.pauseInReserveAt=N:header}</td><td>the same claim after it wrote the record header,
 *     before the position moved (the record never becomes part of the ring)</td><td>{@code paused in reserve}</td></tr>
 * <tr><td>{@code mapsync.test.pauseHashWindow=N}</td><td>the N-th hash map write window this process opens (from 1),
 *     after its first change; a kernel hash map's window is the time between its lookup and its update, with the
 *     key's stripe locked</td><td>{@code paused mid-window}</td></tr>
 * <tr><td>{@code mapsync.test.spoilReads=true}</td><td>does not stop: every consistent read of an array entry adds
 *     2 to its stripe's sequence between its copy and its second look at the sequence, as a peer that keeps writing
 *     the word would</td><td>nothing</td></tr>
 * </table>
 */
public final class TestHooks {
    private TestHooks() {}

    private static final int PAUSE_INDEX = Integer.getInteger("mapsync.test.pauseWritingIndex", -1);
    private static final String RESERVE = System.getProperty("mapsync.test.pauseInReserveAt", "");
    private static final long RESERVE_AT = RESERVE.isEmpty() ? -1 : Long.parseLong(RESERVE.split(":")[0]);
    private static final boolean BEFORE_POSITION = RESERVE.endsWith(":header");
    private static final int PAUSE_WINDOW = Integer.getInteger("mapsync.test.pauseHashWindow", 0);
    private static final boolean SPOIL_READS = Boolean.getBoolean("mapsync.test.spoilReads");

    /** Whether any hook is set: call sites test this constant before calling a hook. */
    public static final boolean ENABLED = PAUSE_INDEX >= 0 || RESERVE_AT >= 0 || PAUSE_WINDOW > 0 || SPOIL_READS;

    private static final AtomicLong CLAIMS = new AtomicLong();
    private static final AtomicLong WINDOWS = new AtomicLong();

    /** A write of entry {@code index} has made its stripe's sequence odd. */
    public static void midWrite(int index) {
        if (PAUSE_INDEX >= 0 && index == PAUSE_INDEX) pauseForever("paused mid-write");
    }

    /** A ring claim wrote its record header; the producer position has not moved yet. */
    public static void ringAfterHeader() {
        if (RESERVE_AT >= 0 && BEFORE_POSITION && CLAIMS.getAndIncrement() == RESERVE_AT) pauseForever("paused in reserve");
    }

    /** A ring claim moved the producer position past its record, still inside the reserve lock. */
    public static void ringInReserve() {
        if (RESERVE_AT >= 0 && !BEFORE_POSITION && CLAIMS.getAndIncrement() == RESERVE_AT) pauseForever("paused in reserve");
    }

    /** A hash map write window was opened. */
    public static void hashWindowOpened() {
        if (PAUSE_WINDOW > 0) WINDOWS.incrementAndGet();
    }

    /** A hash map write window made its first change. */
    public static void hashMidWindow() {
        if (PAUSE_WINDOW > 0 && WINDOWS.get() == PAUSE_WINDOW) pauseForever("paused mid-window");
    }

    /** A consistent read copied an entry: true if the caller is to change the sequence under it. */
    public static boolean spoilRead() {
        return SPOIL_READS;
    }

    private static void pauseForever(String what) {
        System.out.println(what);
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
