package dev.mapsync.internal.store;

import dev.mapsync.Schema;
import dev.mapsync.internal.sys.Cpus;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * How the kernel copies one element of a per-CPU map in and out of user space: one value per possible CPU, in CPU
 * order, each at {@code cpu * round_up(value_size, 8)}. Lookups fill every slot; updates write every slot.
 *
 * <pre>
 *   offset                 size
 *   0                      value_size   CPU 0's value (then zero padding up to round_up(value_size, 8))
 *   stride                 value_size   CPU 1's value
 *   ...
 *   (cpus - 1) * stride    value_size   the last possible CPU's value
 * </pre>
 * Stateless and thread-safe.
 */
public final class PerCpuValues {
    private PerCpuValues() {}

    private static final ValueLayout.OfByte I8 = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    /** The distance between two CPUs' values: {@code round_up(valueSize, 8)}. */
    public static long stride(int valueSize) {
        return Header.stride(valueSize);
    }

    /** The bytes of one element's values of every possible CPU. */
    public static long size(int valueSize) {
        return Cpus.possible() * stride(valueSize);
    }

    /** CPU {@code cpu}'s value within {@code all}. */
    public static MemorySegment of(MemorySegment all, int valueSize, int cpu) {
        return all.asSlice(cpu * stride(valueSize), valueSize);
    }

    /**
     * The sum of every CPU's value into {@code into}, field by field: integers add with wrap-around (as the kernel's
     * own counters do), floating-point fields add, and fields that are not numbers (bool, char[N]) are CPU 0's.
     */
    public static void sum(Schema schema, MemorySegment all, int cpus, MemorySegment into) {
        int size = schema.size();
        MemorySegment.copy(all, 0, into, 0, size);
        for (int cpu = 1; cpu < cpus; cpu++) add(schema, of(all, size, cpu), 0, into);
    }

    /** Writes {@code value} as every CPU's value in {@code all}. */
    public static void replicate(MemorySegment value, int valueSize, MemorySegment all, int cpus) {
        all.fill((byte) 0);
        for (int cpu = 0; cpu < cpus; cpu++) MemorySegment.copy(value, 0, all, cpu * stride(valueSize), valueSize);
    }

    /** True when every field of {@code schema} is a number, so that a sum means something for every byte. */
    public static boolean numeric(Schema schema) {
        return switch (schema.kind()) {
            case STRUCT -> schema.fields().stream().allMatch(f -> numeric(f.type()));
            case ARRAY -> numeric(schema.element().orElseThrow());
            case BOOL, CHARS -> false;
            default -> true;
        };
    }

    private static void add(Schema schema, MemorySegment from, long at, MemorySegment into) {
        switch (schema.kind()) {
            case STRUCT -> {
                for (Schema.Field f : schema.fields()) add(f.type(), from, at + f.offset(), into);
            }
            case ARRAY -> {
                Schema element = schema.element().orElseThrow();
                for (int i = 0; i < schema.length(); i++) add(element, from, at + (long) i * element.size(), into);
            }
            case I8, U8 -> into.set(I8, at, (byte) (into.get(I8, at) + from.get(I8, at)));
            case I16, U16 -> into.set(I16, at, (short) (into.get(I16, at) + from.get(I16, at)));
            case I32, U32 -> into.set(I32, at, into.get(I32, at) + from.get(I32, at));
            case I64, U64 -> into.set(I64, at, into.get(I64, at) + from.get(I64, at));
            case F32 -> into.set(F32, at, into.get(F32, at) + from.get(F32, at));
            case F64 -> into.set(F64, at, into.get(F64, at) + from.get(F64, at));
            case BOOL, CHARS -> { } // CPU 0's, copied first
        }
    }
}
