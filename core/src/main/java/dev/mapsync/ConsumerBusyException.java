package dev.mapsync;

/**
 * A ring already has its one consumer, in this or another process: records are consumed in order by one reader,
 * as the kernel's ring buffer has one consumer position. The consumer role is freed when its handle closes, or when
 * its process dies, however it dies.
 */
public class ConsumerBusyException extends MapSyncException {
    private final int consumerPid;

    public ConsumerBusyException(String message, int consumerPid) {
        super(message);
        this.consumerPid = consumerPid;
    }

    /** The pid of the consumer (in its own pid namespace), or 0 when it is not known. */
    public int consumerPid() {
        return consumerPid;
    }
}
