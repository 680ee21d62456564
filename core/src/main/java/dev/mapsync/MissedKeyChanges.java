package dev.mapsync;

/**
 * Changes of a hash map the subscriber did not see: the change log, which keeps the last
 * {@link HashSpec#changelogCapacity} changes, overwrote them before they were read (or a writer died between
 * reserving and writing its entry). Resync from the map if you need the values. An immutable value.
 *
 * @param firstSeq the sequence number of the first missed change
 * @param count    how many consecutive changes were missed
 * @param <K>      the Java type of the map's keys
 */
public record MissedKeyChanges<K>(long firstSeq, long count) implements KeyChangeEvent<K> {
}
