package dev.mapsync;

import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.TestJvm;
import dev.mapsync.testkit.LockHolder;
import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.MapDir;
import dev.mapsync.testkit.Await;
import dev.mapsync.testkit.Peer;
import dev.mapsync.internal.lock.EntryLocks;
import dev.mapsync.internal.sys.FutexVector;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The lock API's contract: guards, timeouts, re-locking, force-unlock, closed maps, virtual threads. */
class LockTest {
    /** The lock word's bit that says someone sleeps on it (docs/FORMAT.md §4.2). */
    private static final int WAITERS = 0x8000_0000;
    @RegisterExtension
    final MapDir maps = new MapDir("l");
    private Path dir;
    private String name;

    @BeforeEach
    void setUp() {
        dir = maps.dir();
        name = maps.name();
    }

    /** Runs {@code body} on another thread: one thread using two handles of a map is refused as re-locking. */
    private static <T> T elsewhere(java.util.concurrent.Callable<T> body) throws Exception {
        try (var executor = Executors.newSingleThreadExecutor()) {
            try {
                return executor.submit(body).get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof Exception x) throw x;
                throw e;
            }
        }
    }

    private ArraySpec<Long> spec(Backend b, int entries) {
        return Machine.on(b, MapSpec.array(name, Codec.i64(), entries).dir(dir));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aLockExcludesOtherHandlesUntilItsGuardCloses(Backend b) throws Exception {
        try (SharedArray<Long> a = SharedArray.create(spec(b, 4));
             SharedArray<Long> other = SharedArray.open(spec(b, 4))) {
            LockGuard held = a.lock(1);
            assertFalse(held.previousOwnerDied());
            assertEquals(Optional.empty(), elsewhere(() -> other.tryLock(1)));
            elsewhere(() -> {
                try (LockGuard g = other.tryLock(2).orElseThrow()) {
                    return g; // other entries have their own locks
                }
            });
            held.close();
            held.close();
            assertFalse(elsewhere(() -> {
                try (LockGuard mine = other.tryLock(1).orElseThrow()) {
                    return mine.previousOwnerDied();
                }
            }));
        }
    }

    /** A guard whose handle was closed first does nothing when closed, whichever thread closes it, and again. */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void aGuardClosedAfterItsHandleDoesNothing(Backend b) throws Exception {
        SharedArray<Long> a = SharedArray.create(spec(b, 4));
        LockGuard mine = a.lock(1), handedOver = a.lock(2);
        a.close();
        mine.close();
        mine.close();
        elsewhere(() -> {
            handedOver.close();
            return null;
        });
        try (SharedArray<Long> again = SharedArray.open(spec(b, 4)); LockGuard taken = again.lock(1)) {
            assertTrue(taken.previousOwnerDied(), "the lock went with the handle");
        }
    }

    /** A guard closed again after its lock was taken anew, by the same handle and thread, leaves the new lock held. */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void aClosedGuardClosedAgainLeavesALaterLockOfTheSameEntryHeld(Backend b) throws Exception {
        try (SharedArray<Long> a = SharedArray.create(spec(b, 4));
             SharedArray<Long> other = SharedArray.open(spec(b, 4).lockTimeout(Duration.ofMillis(50)))) {
            LockGuard first = a.lock(1);
            first.close();
            LockGuard second = a.lock(1);
            first.close();
            assertEquals(Optional.empty(), elsewhere(() -> other.tryLock(1)));
            try (LockGuard map = a.lockMap()) {
                map.close();
                try (LockGuard again = a.lockMap()) {
                    map.close();
                    LockTimeoutException e = assertThrows(LockTimeoutException.class, () -> elsewhere(other::lockMap));
                    assertTrue(e.getMessage().matches("timed out after 0\\.[0-9] s waiting for the map-wide lock of map '"
                            + name + "'.*"), e.getMessage());
                }
            }
            second.close();
            assertFalse(elsewhere(() -> {
                try (LockGuard mine = other.tryLock(1).orElseThrow()) {
                    return mine.previousOwnerDied();
                }
            }));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aTimeoutNamesTheOwnerAndHowLongItHeldTheLock(Backend b) {
        try (SharedArray<Long> a = SharedArray.create(spec(b, 4).lockTimeout(Duration.ofMillis(300)));
             SharedArray<Long> other = SharedArray.open(spec(b, 4).lockTimeout(Duration.ofMillis(300)));
             LockGuard held = a.lock(3)) {
            LockTimeoutException e = assertThrows(LockTimeoutException.class, () -> elsewhere(() -> other.lock(3)));
            assertTrue(e.getMessage().matches("timed out after 0\\.[3-9] s waiting for the lock of entry 3 of map '" + name
                    + "': held by pid " + ProcessHandle.current().pid() + " \\(alive\\) for at least 0\\.[3-9] s"), e.getMessage());
            assertEquals(ProcessHandle.current().pid(), e.ownerPid());
            assertTrue(e.ownerAlive());
            assertTrue(e.heldFor().isPresent());
        }
    }

    /**
     * A waiter that slept and then gives up (its timeout ends, or it was interrupted) may have taken the wake-up
     * that an unlock meant for the next sleeper, while a locker that came in between took the lock and, with it,
     * cleared the word's waiters bit: the new owner's unlock would wake no one, and the other sleepers would sleep on
     * until their own slices ended. So a waiter that gives up leaves the bit set. The locker that came in between is
     * played by a peer's write of the word, while the waiter sleeps.
     */
    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({"SHM, timeout", "SHM, interrupt", "BPF, timeout", "BPF, interrupt"})
    void aWaiterThatGivesUpLeavesTheWordSayingOthersSleep(Backend b, String how) throws Exception {
        // without futex_waitv a platform waiter sleeps 20 ms at a time and marks the word again by itself
        assumeTrue(FutexVector.supported(), "the kernel has no futex_waitv");
        try (SharedArray<Long> a = SharedArray.create(spec(b, 4));
             LockGuard held = a.lock(1)) {
            Path file = a.info().file();
            long word = Peer.stripeRecord(1) + Peer.WORD;
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            // a second, the waiter's first slice and then one sleep until its deadline (shorter than a platform
            // thread's slice): nothing but its deadline wakes it in between
            Thread waiter = Thread.ofPlatform().start(() -> {
                try (LockGuard never = a.lock(1, Duration.ofSeconds(1))) {
                    thrown.set(new AssertionError("the waiter took a held lock"));
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            Await.until("the waiter marks the word", () -> (Peer.getInt(file, word) & WAITERS) != 0);
            long marked = System.nanoTime();
            Await.until("the waiter's first slice is over",
                    () -> System.nanoTime() - marked > 5 * EntryLocks.SLICE_NANOS);
            assertTrue(waiter.isAlive(), "the waiter gave up too early for the test: " + thrown.get());
            Peer.putInt(file, word, Peer.getInt(file, word) & ~WAITERS);
            if (how.equals("interrupt")) waiter.interrupt(); // seen when its sleep ends
            waiter.join();
            String what = "the lock of entry 1 of map '" + name + "'";
            if (how.equals("interrupt")) {
                assertEquals(LockInterruptedException.class, thrown.get().getClass(), String.valueOf(thrown.get()));
                assertEquals("interrupted while waiting for " + what, thrown.get().getMessage());
            } else {
                assertEquals(LockTimeoutException.class, thrown.get().getClass(), String.valueOf(thrown.get()));
                String message = thrown.get().getMessage();
                String expected = "timed out after 1\\.[0-9] s waiting for " + Pattern.quote(what) + ": held by .*";
                assertTrue(message.matches(expected), message);
            }
            assertEquals(WAITERS, Peer.getInt(file, word) & WAITERS, "the waiters bit after the waiter gave up");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void reLockingIsRefusedInsteadOfDeadlocking(Backend b) {
        try (SharedArray<Long> a = SharedArray.create(spec(b, 4).lockStripes(2));
             SharedArray<Long> b2 = SharedArray.open(spec(b, 4));
             LockGuard held = a.lock(1)) {
            LockAlreadyHeldException e = assertThrows(LockAlreadyHeldException.class, () -> a.lock(3));
            assertEquals("this thread already holds the lock of entry 3 (stripe 1) of map '" + name
                    + "'; locks are not reentrant, so locking it again would deadlock", e.getMessage());
            e = assertThrows(LockAlreadyHeldException.class, () -> b2.lock(1));
            assertEquals("this thread already holds the lock of entry 1 of map '" + name
                    + "' (through another handle of the map); locks are not reentrant, so locking it again would deadlock",
                    e.getMessage());
            assertThrows(LockAlreadyHeldException.class, () -> a.lockAll(0, 1));
            a.set(2, 7L);
            assertEquals(8L, a.update(2, v -> v + 1), "update under a held lock of another stripe works");
            assertThrows(LockAlreadyHeldException.class, () -> a.update(3, v -> v + 1), "entry 3 shares stripe 1");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void theGuardMayBeClosedByAnotherThreadOfTheProcess(Backend b) throws Exception {
        try (SharedArray<Long> a = SharedArray.create(spec(b, 2))) {
            LockGuard held = a.lock(0);
            Thread closer = Thread.ofPlatform().start(held::close);
            closer.join();
            try (LockGuard again = a.lock(0, Duration.ofMillis(200))) {
                assertFalse(again.previousOwnerDied());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void virtualThreadsContendWithoutBlockingTheirCarriers(Backend b) throws Exception {
        record Pair(long x, long y) {}
        ArraySpec<Pair> spec = Machine.on(b, MapSpec.array(name, Pair.class, 2).dir(dir));
        try (SharedArray<Pair> map = SharedArray.create(spec);
             var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            map.set(0, new Pair(0, 0));
            int threads = 200, rounds = 50;
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(executor.submit(() -> {
                    for (int r = 0; r < rounds; r++) {
                        try (LockGuard held = map.lock(0)) {
                            Pair p = map.get(0);
                            Thread.yield(); // unmount while holding the lock: another carrier may resume us
                            map.set(0, new Pair(p.x() + 1, p.y() - 1));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
            assertEquals(new Pair(threads * rounds, -threads * rounds), map.get(0));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void forceUnlockFreesOnlyTheLocksOfDeadOwners(Backend b) {
        try (SharedArray<Long> a = SharedArray.create(spec(b, 4));
             SharedArray<Long> other = SharedArray.open(spec(b, 4));
             LockGuard held = a.lock(2)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> elsewhere(() -> other.forceUnlock(2)));
            assertEquals("refusing to free the lock of entry 2 of map '" + name + "': its owner, pid "
                    + ProcessHandle.current().pid() + ", is alive", e.getMessage());
            assertEquals("the lock of entry 1 of map '" + name + "' is not held",
                    assertThrows(IllegalStateException.class, () -> other.forceUnlock(1)).getMessage());
            assertEquals(1, other.locks().size(), other.locks().toString());
            assertEquals(2, other.locks().getFirst().stripe());
            assertTrue(other.locks().getFirst().ownerAlive());
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void locksOfAClosedMapOrAReadOnlyHandleAreRefused(Backend b) {
        SharedArray<Long> a = SharedArray.create(spec(b, 2));
        try (SharedArray<Long> ro = SharedArray.openReadOnly(spec(b, 2))) {
            assertEquals("map '" + name + "' is open read-only; it cannot take locks",
                    assertThrows(MapAccessDeniedException.class, () -> ro.lock(0)).getMessage());
            a.close();
            assertEquals("map '" + name + "' is closed", assertThrows(MapClosedException.class, () -> a.lock(0)).getMessage());
            assertThrows(MapClosedException.class, () -> a.tryLock(0));
            assertThrows(MapClosedException.class, a::lockMap);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aLockWhoseOwnerClosedItsHandleIsTakenOver(Backend b) throws Exception {
        try (SharedArray<Long> survivor = SharedArray.create(spec(b, 2))) {
            SharedArray<Long> quitter = SharedArray.open(spec(b, 2));
            elsewhere(() -> quitter.lock(1));
            quitter.close();
            try (LockGuard g = survivor.lock(1, Duration.ofSeconds(5))) {
                assertTrue(g.previousOwnerDied());
            }
            try (LockGuard g = survivor.lock(1)) {
                assertFalse(g.previousOwnerDied());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aWaitingLockUsesNoCpu(Backend b) throws Exception {
        try (SharedArray<Long> a = SharedArray.create(spec(b, 2));
             LockGuard held = a.lock(0);
             ChildJvm waiter = TestJvm.start(LockHolder.class, dir.toString(), name, b.name(), "2", "0")) {
            // a waiter records when the uncontended hold began: the child has come to wait for our lock
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (a.locks().getFirst().heldSince().isEmpty()) {
                assertTrue(System.nanoTime() < deadline, "the child never came to wait: " + waiter.output());
                Thread.sleep(10); // polls a condition
            }
            // the best of a few windows: the child's JIT finishes its start-up work in bursts on a loaded machine,
            // while a waiter that spins costs CPU in every window
            long cpuMillis = Long.MAX_VALUE;
            for (int window = 0; window < 3 && cpuMillis >= 200; window++) {
                Duration before = waiter.process().toHandle().info().totalCpuDuration().orElseThrow();
                Thread.sleep(2000); // the measuring window
                Duration after = waiter.process().toHandle().info().totalCpuDuration().orElseThrow();
                cpuMillis = Math.min(cpuMillis, after.minus(before).toMillis());
                System.out.println("CPU used by a waiting process in 2 s: " + after.minus(before).toMillis() + " ms");
            }
            assertTrue(waiter.process().isAlive());
            assertEquals("", waiter.output(), "the child is still waiting");
            assertTrue(cpuMillis < 200, "a blocked waiter must sleep, not spin: it used " + cpuMillis + " ms of CPU in 2 s"
                    + " (the best of up to 3 windows)");
        }
    }
}
