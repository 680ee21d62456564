package dev.mapsync;

/**
 * Changes the subscriber did not see: the change log, which keeps the last {@link ArraySpec#changelogCapacity}
 * changes, overwrote them before they were read (or a writer died between reserving and writing its entry). Resync
 * from a snapshot of the map if you need the values. An immutable value.
 *
 * @param firstSeq the sequence number of the first missed change
 * @param count    how many consecutive changes were missed
 */
public record MissedChanges(long firstSeq, long count) implements ChangeEvent {
}
