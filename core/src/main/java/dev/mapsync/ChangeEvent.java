package dev.mapsync;

/**
 * What a subscriber to a map's changes receives, in sequence order: a {@link Change}, or a
 * {@link MissedChanges} when the subscriber fell so far behind that the bounded change log overwrote changes it had
 * not read. Never a silent gap: every sequence number is accounted for by exactly one event. Both kinds are immutable
 * values.
 */
public sealed interface ChangeEvent permits Change, MissedChanges {
}
