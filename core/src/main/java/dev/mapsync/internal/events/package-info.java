/**
 * The JDK Flight Recorder events of mapsync, {@code dev.mapsync.*}: a lock wait past a threshold, a lock taken over
 * from a dead owner, a torn entry repaired, changes a subscriber missed, a ring found full, records lost to dead
 * producers. Each event class has static methods that build, fill and commit it only when a recording wants it, and
 * the protocols call them on their slow paths only (a wait that sleeps, a takeover, a failed claim), so that a
 * process that never reaches one never loads an event class, and one that runs no recording pays a test of a
 * constant. The bottom layer: it uses nothing of mapsync, and the packages that find these things may use it.
 */
package dev.mapsync.internal.events;
