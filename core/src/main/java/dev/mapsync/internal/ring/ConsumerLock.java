package dev.mapsync.internal.ring;

import dev.mapsync.ConsumerBusyException;
import dev.mapsync.MapAccessDeniedException;
import dev.mapsync.internal.sys.LibC;
import dev.mapsync.internal.sys.Proc;

import java.lang.foreign.MemorySegment;

import static dev.mapsync.internal.sys.Words.INT;
import static dev.mapsync.internal.sys.Words.LONG;

/**
 * One consumer per ring, across processes: the consumer holds an open-file-description write lock on one byte of
 * the ring's liveness file (beside the sidecar, for kernel rings), {@link RingLayout#CONSUMER_LOCK_BYTE}. Only the
 * ring's writers may open that file, so a process that may merely read the ring cannot hold the byte and keep every
 * consumer out. The kernel drops the lock when the handle's descriptor closes, which happens however the process
 * dies, so a dead consumer never blocks the next one. Two handles in one process conflict as well (each has its own
 * open file description). The consumer record of the control region names the holder, for messages and for
 * {@code mapsync queue stat}; the lock alone decides.
 */
final class ConsumerLock {
    private ConsumerLock() {}

    /**
     * Makes the handle of {@code ring} its consumer.
     *
     * @throws ConsumerBusyException    if another handle is the consumer
     * @throws MapAccessDeniedException if the handle is read-only
     */
    static void acquire(RingRegion ring) {
        if (ring.readOnly()) {
            throw new MapAccessDeniedException("ring '" + ring.name() + "' is open read-only; consuming moves its"
                    + " consumer position, so open it read-write");
        }
        if (!consumerByte(ring, LibC.F_WRLCK)) {
            MemorySegment c = ring.control();
            int pid = (int) INT.getAcquire(c, RingLayout.CONSUMER_PID);
            boolean sameNamespace = (long) LONG.get(c, RingLayout.CONSUMER_PIDNS) == Proc.PID_NAMESPACE;
            String who = pid == 0 ? "another handle" : "pid " + pid + (sameNamespace ? "" : " in another pid namespace")
                    + (pid == Proc.PID && sameNamespace ? " (this process, through another handle)" : "");
            throw new ConsumerBusyException("ring '" + ring.name() + "' already has a consumer: " + who
                    + "; a ring has one consumer at a time, until its handle is closed or its process ends", pid);
        }
        MemorySegment c = ring.control();
        LONG.set(c, RingLayout.CONSUMER_START, Proc.START_TIME);
        LONG.set(c, RingLayout.CONSUMER_PIDNS, Proc.PID_NAMESPACE);
        LONG.set(c, RingLayout.CONSUMER_SINCE, System.currentTimeMillis());
        INT.setRelease(c, RingLayout.CONSUMER_PID, Proc.PID);
    }

    /** Gives the consumer role up. */
    static void release(RingRegion ring) {
        if (ring.isClosed()) return; // closing the descriptor dropped the lock already
        INT.setRelease(ring.control(), RingLayout.CONSUMER_PID, 0);
        try {
            consumerByte(ring, LibC.F_UNLCK);
        } catch (IllegalStateException closedMeanwhile) {
            // as above: the close dropped it
        }
    }

    /** Sets ({@code F_WRLCK}) or drops ({@code F_UNLCK}) the consumer's byte lock; false if another holds it. */
    private static boolean consumerByte(RingRegion ring, short type) {
        return ring.withLockFd(fd -> LibC.ofdLock(fd, LibC.F_OFD_SETLK, type, RingLayout.CONSUMER_LOCK_BYTE));
    }

    /**
     * The pid of the live consumer, or 0 when the ring has none (whatever the record says). A handle without the
     * liveness file (a reader it keeps out) judges from the consumer record: the recorded process exists with the
     * recorded start time, or it is in another pid namespace, where that cannot be told.
     */
    static int consumerPid(RingRegion ring) {
        int pid = (int) INT.getAcquire(ring.control(), RingLayout.CONSUMER_PID);
        if (ring.lockFd() < 0) {
            MemorySegment c = ring.control();
            boolean sameNamespace = (long) LONG.get(c, RingLayout.CONSUMER_PIDNS) == Proc.PID_NAMESPACE;
            boolean alive = pid > 0 && (!sameNamespace || Proc.isAlive(pid, (long) LONG.get(c, RingLayout.CONSUMER_START)));
            return alive ? pid : 0;
        }
        // a read probe conflicts with the consumer's write lock; the probe never conflicts with this handle's own
        boolean free = LibC.ofdLock(ring.lockFd(), LibC.F_OFD_GETLK, LibC.F_RDLCK, RingLayout.CONSUMER_LOCK_BYTE);
        return free ? 0 : Math.max(pid, 0);
    }
}
