package dev.mapsync;

import dev.mapsync.internal.store.AccessFailures;
import dev.mapsync.internal.store.Durations;
import dev.mapsync.internal.store.MapRegion;
import dev.mapsync.internal.barrier.BarrierProtocol;
import dev.mapsync.internal.barrier.BarrierKind;
import dev.mapsync.internal.store.MapInfos;
import dev.mapsync.internal.store.Opener;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A barrier that a fixed number of processes meet at, generation after generation, as
 * {@link java.util.concurrent.CyclicBarrier} does for threads: each party's {@link #await} returns once all parties
 * have arrived, with the number of the generation that tripped.
 *
 * <pre>{@code
 * try (SharedBarrier phase = SharedBarrier.openOrCreate(MapSpec.barrier("phase", 4))) {
 *     for (int round = 0; round < 100; round++) {
 *         doWork(round);
 *         phase.await(Duration.ofSeconds(30));   // all 4 processes finish round r before any starts r + 1
 *     }
 * }
 * }</pre>
 *
 * <p><b>Parties</b>: a handle becomes a party at its first {@code await} (or at {@link #join()}) by taking one of
 * the barrier's seats, and stays one until it is closed; one handle is one party. A process that dies while the
 * others wait breaks the barrier: the waiters notice the party's handle is
 * gone within a fraction of a second and throw {@link BarrierBrokenException} naming it, instead of waiting for
 * ever. A party that takes the seat of one that died breaks the generation if anyone has arrived in it (the dead party
 * may have, and its arrival must not count with the new party's), and a handle closed while its thread waits breaks
 * the generation it arrived in. A party whose wait times out ({@link WaitTimeoutException}) or is interrupted breaks
 * it too. A broken barrier refuses every {@code await} until {@link #reset()}, which starts a fresh generation.
 *
 * <p><b>Threads.</b> A handle is safe to share between the threads of a process. Since it is one party, its threads
 * arrive one after another: a thread that calls {@code await} while another thread of the handle waits at the
 * barrier waits for its turn (then arrives in a later generation), never past its own timeout. A thread whose timeout
 * passes before its turn came throws {@link WaitTimeoutException} and breaks nothing, since it never arrived (one
 * interrupted meanwhile throws {@link WaitInterruptedException}, likewise). Use one handle per party to have threads
 * of one process meet each other. {@link #reset()}, {@link #join()}, {@link #status()} and {@link #close()} never
 * wait for an await.
 *
 * <p>Barriers live in shared memory (the {@link MapSpec#defaultDir() default folder}, or the spec's folder) only:
 * their waiters sleep in {@code FUTEX_WAIT} on its wake word, in slices, checking the parties' liveness after each.
 *
 * <p>A read-only handle can only look ({@link #status()}): {@link #await}, {@link #join()} and {@link #reset()}
 * throw {@link MapAccessDeniedException}. After {@link #close()}, every call throws {@link MapClosedException}.
 */
public final class SharedBarrier implements SharedMap {
    private final MapRegion region;
    private final BarrierProtocol protocol;
    /** Held by the thread of this handle that arrives and waits: the handle is one party, which arrives once a time. */
    private final ReentrantLock turn = new ReentrantLock();

    private SharedBarrier(MapRegion region) {
        this.region = region;
        this.protocol = new BarrierProtocol(region);
    }

    /**
     * Creates a new barrier from a spec made by {@link MapSpec#barrier}.
     *
     * @param spec the barrier's blueprint
     * @return the handle, which is not a party until its first {@link #await} or {@link #join()}
     * @throws MapExistsException       if a map of that name exists
     * @throws MapAccessDeniedException if the folder refuses
     */
    public static SharedBarrier create(BarrierSpec spec) {
        return Opener.create(spec.blueprint(), BarrierKind.INSTANCE).into(SharedBarrier::new);
    }

    /**
     * Opens an existing barrier.
     *
     * @param spec the barrier's blueprint
     * @return the handle, which is not a party until its first {@link #await} or {@link #join()}
     * @throws MapNotFoundException     if there is no such map
     * @throws IncompatibleMapException if it is not a barrier, or has another number of parties than the spec
     * @throws CorruptMapException      if the file is not a complete map of a version this library reads
     */
    public static SharedBarrier open(BarrierSpec spec) {
        return Opener.open(spec.blueprint(), false, BarrierKind.INSTANCE).into(SharedBarrier::new);
    }

    /**
     * Opens the existing barrier at {@code location}, whatever its number of parties.
     *
     * @param location the barrier
     * @return the handle, which is not a party until its first {@link #await} or {@link #join()}
     * @throws MapNotFoundException     if there is no such map
     * @throws IncompatibleMapException if it is not a barrier
     * @throws CorruptMapException      if the file is not a complete map of a version this library reads
     */
    public static SharedBarrier open(MapLocation location) {
        return Opener.open(location.blueprint(), false, BarrierKind.INSTANCE).into(SharedBarrier::new);
    }

    /**
     * Opens an existing barrier to look at it ({@link #status()}); it cannot await, join or reset.
     *
     * @param spec the barrier's blueprint
     * @return the read-only handle
     * @throws MapNotFoundException     if there is no such map
     * @throws IncompatibleMapException if it is not a barrier, or has another number of parties than the spec
     * @throws CorruptMapException      if the file is not a complete map of a version this library reads
     */
    public static SharedBarrier openReadOnly(BarrierSpec spec) {
        return Opener.open(spec.blueprint(), true, BarrierKind.INSTANCE).into(SharedBarrier::new);
    }

    /**
     * {@link #openReadOnly(BarrierSpec)} of the barrier at {@code location}, whatever its number of parties.
     *
     * @param location the barrier
     * @return the read-only handle
     * @throws MapNotFoundException     if there is no such map
     * @throws IncompatibleMapException if it is not a barrier
     * @throws CorruptMapException      if the file is not a complete map of a version this library reads
     */
    public static SharedBarrier openReadOnly(MapLocation location) {
        return Opener.open(location.blueprint(), true, BarrierKind.INSTANCE).into(SharedBarrier::new);
    }

    /**
     * Opens the barrier if it exists, else creates it. Concurrent callers get one barrier.
     *
     * @param spec the barrier's blueprint
     * @return the handle, which is not a party until its first {@link #await} or {@link #join()}
     * @throws IncompatibleMapException if the existing map is not a barrier of as many parties
     * @throws MapAccessDeniedException if the folder refuses
     */
    public static SharedBarrier openOrCreate(BarrierSpec spec) {
        return Opener.openOrCreate(spec.blueprint(), BarrierKind.INSTANCE).into(SharedBarrier::new);
    }

    /** {@return the barrier's name} */
    public String name() {
        return region.name();
    }

    /** {@link Backend#SHM}: a barrier lives in shared memory only. */
    @Override
    public Backend backend() {
        return Backend.SHM;
    }

    @Override
    public MapInfo info() {
        if (region.isClosed()) throw new MapClosedException("barrier '" + name() + "' is closed");
        return MapInfos.ofOpen(region);
    }

    @Override
    public boolean isClosed() {
        return region.isClosed();
    }

    /** {@return how many parties trip the barrier} */
    public int parties() {
        return region.header().entries();
    }

    /**
     * Arrives and waits until every party has arrived, at most {@code timeout}.
     *
     * @param timeout how long to wait, for this thread's turn at the handle and then for the other parties
     * @return the generation that tripped (0 the first time, then 1, 2, ...)
     * @throws BarrierBrokenException   if a party died, timed out or was interrupted while this one waited, or the
     *                                  barrier was reset meanwhile, or was broken already
     * @throws WaitTimeoutException     if not every party arrived in time; the barrier is then broken for the others
     * @throws WaitInterruptedException if the thread was interrupted; the barrier is then broken for the others
     * @throws MapSyncException         if all seats are taken by other live parties
     * @throws MapAccessDeniedException if the handle is read-only
     * @throws IllegalArgumentException if the timeout is negative
     */
    public long await(Duration timeout) {
        if (timeout.isNegative()) throw new IllegalArgumentException("negative timeout " + timeout);
        long timeoutNanos = timeout.toNanos();
        if (!turn.tryLock()) {
            long start = System.nanoTime();
            awaitTurn(timeout);
            timeoutNanos -= System.nanoTime() - start; // what is left for the barrier
            if (timeoutNanos <= 0) { // the turn came as the time ran out: arriving now would only break the barrier
                turn.unlock();
                throw turnTimedOut(timeout);
            }
        }
        try {
            return protocol.await(timeoutNanos);
        } catch (IllegalStateException | InternalError e) {
            throw closedOr(e);
        } finally {
            turn.unlock();
        }
    }

    /** Waits for the other threads of this handle that await before this one, at most {@code timeout}. */
    private void awaitTurn(Duration timeout) {
        try {
            if (turn.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WaitInterruptedException("interrupted while waiting for its turn at barrier '" + name() + "':"
                    + " another thread of this process awaits at it through the same handle; this thread had not"
                    + " arrived, and the barrier is not broken");
        }
        throw turnTimedOut(timeout);
    }

    private WaitTimeoutException turnTimedOut(Duration timeout) {
        return new WaitTimeoutException("timed out after " + Durations.text(timeout) + " waiting for its turn at"
                + " barrier '" + name() + "': another thread of this process awaits at it through the same handle (a"
                + " handle is one party, whose threads arrive one after another); this thread had not arrived, and the"
                + " barrier is not broken");
    }

    /**
     * Takes this handle's party seat now rather than at its first {@link #await}: from then on, if this process dies
     * before it arrives, the parties waiting for it notice and break the barrier instead of waiting out their
     * timeout. Does nothing if the handle has a seat.
     *
     * @throws MapSyncException         if all seats are taken by other live parties
     * @throws MapAccessDeniedException if the handle is read-only
     */
    public void join() {
        try {
            protocol.joinNow();
        } catch (IllegalStateException | InternalError e) {
            throw closedOr(e);
        }
    }

    /**
     * Starts a fresh generation: parties waiting now get {@link BarrierBrokenException}, a broken barrier can be
     * used again, and the seats of parties that are gone are freed for new ones.
     *
     * @throws MapAccessDeniedException if the handle is read-only
     */
    public void reset() {
        try {
            protocol.reset();
        } catch (IllegalStateException | InternalError e) {
            throw closedOr(e);
        }
    }

    /**
     * {@return the generation, the parties that wait, whether it is broken and why, and who is seated, read now}
     *
     * @throws MapClosedException if the handle is closed
     */
    public BarrierStatus status() {
        if (region.isClosed()) throw new MapClosedException("barrier '" + name() + "' is closed");
        try {
            BarrierProtocol.Snapshot s = protocol.snapshot();
            return new BarrierStatus(name(), parties(), s.generation(), s.arrived(), s.broken(),
                    java.util.Optional.ofNullable(s.brokenReason()),
                    s.seats().stream().map(p -> new BarrierStatus.Party(p.seat(), p.pid(), p.alive())).toList());
        } catch (IllegalStateException | InternalError e) {
            throw closedOr(e);
        }
    }

    /** Leaves the party seat (if this handle took one) and unmaps the barrier. Idempotent. */
    @Override
    public void close() {
        try {
            protocol.leave();
        } finally {
            region.close();
        }
    }

    @Override
    public String toString() {
        return "SharedBarrier[" + name() + ", " + parties() + " parties]";
    }

    /** The exception to throw for a failed access to the memory: the handle was closed, or the memory vanished. */
    private RuntimeException closedOr(Throwable e) {
        return AccessFailures.of("barrier '" + name() + "'", region.isClosed(), e);
    }
}
