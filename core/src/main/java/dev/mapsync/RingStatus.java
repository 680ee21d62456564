package dev.mapsync;

/**
 * What a ring holds and who consumes it, read at one moment ({@link SharedRing#status()},
 * {@link SharedQueue#status()}). An immutable value.
 *
 * @param name             the ring's name
 * @param backend          where its records live
 * @param capacityBytes    bytes of records it holds
 * @param producerPosition bytes of records ever claimed (the stream offset of the next record)
 * @param consumerPosition bytes of records ever consumed or skipped
 * @param usedBytes        bytes claimed and not consumed yet
 * @param sealed           true once it takes no more records
 * @param lostRecords      records skipped because their producer died before committing them (shm rings)
 * @param lostBytes        the bytes of those records, headers included
 * @param consumerPid      the pid of its consumer (in the consumer's pid namespace), or 0 when it has none
 * @param valueSchema      the schema of a queue's values, or null for records of any length
 */
public record RingStatus(String name, Backend backend, long capacityBytes, long producerPosition, long consumerPosition,
                         long usedBytes, boolean sealed, long lostRecords, long lostBytes, int consumerPid,
                         Schema valueSchema) {
}
