package dev.mapsync;

/**
 * One process slot's cell of a counter ({@link SharedCounters#cells(int)}): what the handles that held slot
 * {@link #slot()} added to the counter, and the pid of the slot's latest holder (in its own pid namespace; 0 if the
 * slot was never claimed). An immutable value.
 *
 * @param slot  the process slot, 0 to 1023
 * @param pid   the pid of the process that claimed the slot last, which may have ended since
 * @param value the cell's value
 */
public record CounterCell(int slot, int pid, long value) {}
