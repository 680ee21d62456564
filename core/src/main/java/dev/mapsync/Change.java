package dev.mapsync;

/**
 * One change to a map: which entry changed, its sequence number in the map's change log, and the pid of the
 * process that made it. The value itself is read from the map when needed (it may have changed again since). An
 * immutable value, delivered by {@link ChangeCursor#poll} and {@link SharedArray#watch}.
 *
 * @param key the index of the changed entry
 * @param seq the change's sequence number, counted from 1 for the map's first recorded change; a polling watcher
 *            numbers the changes it detects itself, from 1
 * @param pid the writer's pid in its own pid namespace; 0 when unknown (changes a polling watcher detected)
 */
public record Change(int key, long seq, int pid) implements ChangeEvent {
}
