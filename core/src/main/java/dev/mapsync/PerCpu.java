package dev.mapsync;

import java.util.List;
import java.util.Objects;

/**
 * One element of a per-CPU kernel map ({@code BPF_MAP_TYPE_PERCPU_ARRAY}, {@code PERCPU_HASH},
 * {@code LRU_PERCPU_HASH}) as read at one moment: each possible CPU's value, in CPU order, and their sum. BPF programs
 * update their own CPU's value without atomics; a reader adds them up.
 *
 * <pre>{@code
 * PerCpu<Long> hits = counters.getPerCpu(3);
 * long total = hits.sum();            // what counters.get(3) returns
 * long onCpu1 = hits.values().get(1);
 * }</pre>
 *
 * <p>The sum adds every numeric field (integers wrap around, as the kernel's counters do); a field that is not a number
 * ({@code bool}, {@code char[N]}) is CPU 0's. Immutable and thread-safe.
 *
 * @param <V> the Java type of a value
 */
public final class PerCpu<V> {
    private final List<V> values;
    private final V sum;

    PerCpu(List<V> values, V sum) {
        this.values = List.copyOf(values);
        this.sum = Objects.requireNonNull(sum, "sum");
    }

    /** {@return each possible CPU's value} Index {@code i} is the {@code i}-th CPU of {@code /sys/devices/system/cpu/possible}. */
    public List<V> values() {
        return values;
    }

    /** {@return the number of values: the CPUs the kernel may ever bring online} */
    public int cpus() {
        return values.size();
    }

    /** {@return the sum of the values, field by field (see the class description)} */
    public V sum() {
        return sum;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PerCpu<?> p && values.equals(p.values) && sum.equals(p.sum);
    }

    @Override
    public int hashCode() {
        return Objects.hash(values, sum);
    }

    @Override
    public String toString() {
        return "PerCpu" + values + " sum " + sum;
    }
}
