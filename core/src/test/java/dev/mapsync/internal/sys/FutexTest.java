package dev.mapsync.internal.sys;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A futex word whose memory is gone (a map closed while a thread was about to wait on it or wake it) is no error of
 * the caller's: the wait returns at once for the caller to look again, and the wake wakes no one.
 */
class FutexTest {
    /** An address never mapped: the page at zero is below every process's mmap_min_addr. */
    private static final long UNMAPPED = 8;

    @Test
    void aWaitOnMemoryThatIsGoneReturnsAtOnce() {
        assertEquals(Futex.Wake.UNMAPPED, Futex.await(UNMAPPED, 0, 10_000_000_000L));
    }

    @Test
    void aWakeOnMemoryThatIsGoneWakesNoOne() {
        assertEquals(0, Futex.wake(UNMAPPED, Integer.MAX_VALUE));
    }
}
