package dev.mapsync.replicate.internal.wire;

/** A message of the replication stream that does not parse, or does not fit the map it is for. */
public final class CorruptMessageException extends RuntimeException {
    public CorruptMessageException(String message) {
        super(message);
    }
}
