package dev.mapsync.internal.store;

import java.lang.foreign.MemorySegment;

/**
 * Access to one element at a time through system calls instead of a mapping: how the values of a kernel map
 * that cannot be mapped are reached (an array without {@code BPF_F_MMAPABLE}, one with a {@code bpf_spin_lock},
 * or a pin this process may only read), and the slow path that benchmarks compare the mapping with. Each call
 * copies a whole value: a value read this way is never torn, but there are no atomic read-modify-writes.
 */
public interface ElementIo {
    /**
     * Copies element {@code index} into {@code into}, native memory of at least the value size.
     *
     * @throws IllegalStateException if the map was closed
     */
    void load(int index, MemorySegment into);

    /**
     * Replaces element {@code index} with the value at the start of {@code from}, native memory of at least the
     * value size.
     *
     * @throws IllegalStateException if the map was closed
     */
    void store(int index, MemorySegment from);
}
