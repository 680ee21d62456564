package dev.mapsync.internal.store;

import dev.mapsync.Schema;
import dev.mapsync.internal.sys.Cpus;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The element path of a {@code BPF_MAP_TYPE_PERCPU_ARRAY}: a value read is the sum of every CPU's value
 * ({@link PerCpuValues#sum}), a value written becomes every CPU's value, and {@link #loadAll} gives each CPU's.
 * Thread-safe as {@link KernelMap} is: each call copies through its own buffer.
 */
public final class PerCpuElementIo implements ElementIo {
    private final KernelMap map;
    private final Schema value;
    private final int cpus = Cpus.possible();

    public PerCpuElementIo(KernelMap map, Schema value) {
        this.map = map;
        this.value = value;
    }

    /** The number of values of each element: the possible CPUs. */
    public int cpus() {
        return cpus;
    }

    /** Copies every CPU's value of element {@code index} into {@code all} ({@link PerCpuValues#size} bytes). */
    public void loadAll(int index, MemorySegment all) {
        map.load(index, all);
    }

    @Override
    public void load(int index, MemorySegment into) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment all = arena.allocate(PerCpuValues.size(value.size()), 8);
            map.load(index, all);
            PerCpuValues.sum(value, all, cpus, into);
        }
    }

    @Override
    public void store(int index, MemorySegment from) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment all = arena.allocate(PerCpuValues.size(value.size()), 8);
            PerCpuValues.replicate(from, value.size(), all, cpus);
            map.store(index, all);
        }
    }

    /** The kernel map, for what is not an element copy (its descriptor, what the kernel says of it). */
    public KernelMap map() {
        return map;
    }
}
