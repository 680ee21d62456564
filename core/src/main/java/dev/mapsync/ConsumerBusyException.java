package dev.mapsync;

/**
 * A ring already has its one consumer, in this or another process: records are consumed in order by one reader,
 * as the kernel's ring buffer has one consumer position. The consumer role is freed when its handle closes, or when
 * its process dies, however it dies. Thrown by {@link SharedRing#consumer()} and by the consuming methods of
 * {@link SharedQueue}. Thread-safe, as every {@link MapSyncException}.
 */
public class ConsumerBusyException extends MapSyncException {
    /** The consumer's pid, or 0. */
    private final int consumerPid;

    /**
     * Makes one with the message it shows.
     *
     * @param message     what was refused, naming the ring
     * @param consumerPid the pid of the consumer (in its own pid namespace), or 0 when it is not known
     */
    public ConsumerBusyException(String message, int consumerPid) {
        super(message);
        this.consumerPid = consumerPid;
    }

    /** {@return the pid of the consumer (in its own pid namespace), or 0 when it is not known} */
    public int consumerPid() {
        return consumerPid;
    }
}
