package dev.mapsync;

/**
 * What a subscriber to a hash map's changes receives, in sequence order: a {@link KeyChange}, or a
 * {@link MissedKeyChanges} when it fell so far behind that the bounded change log overwrote changes it had not read.
 * Every sequence number is accounted for by exactly one event. Both kinds are immutable values.
 *
 * @param <K> the Java type of the map's keys
 */
public sealed interface KeyChangeEvent<K> permits KeyChange, MissedKeyChanges {
}
