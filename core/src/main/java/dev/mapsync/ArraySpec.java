package dev.mapsync;

import dev.mapsync.internal.store.Blueprint;
import dev.mapsync.internal.store.ControlLayout;

/**
 * The blueprint of an array map ({@link SharedArray}): {@link #entries()} values of {@link #codec()}, indexed from 0,
 * each guarded by one of {@link #lockStripes()} entry locks. Made by {@link MapSpec#array} and
 * {@link MapSpec#pinned}; taken by {@link SharedArray}'s {@code create}, {@code open}, {@code openReadOnly} and
 * {@code openOrCreate}. Immutable and thread-safe: each wither returns a changed copy; a wither given a bad argument
 * throws {@link IllegalArgumentException}.
 *
 * @param <V> the Java type of a value
 */
public final class ArraySpec<V> extends SpecBase<ArraySpec<V>, V> implements MapSpec<V> {
    private final Codec<V> codec;
    private final int entries;
    private final int lockStripes;
    private final int changelogCapacity;
    private final boolean perCpu;

    ArraySpec(MapLocation location, Codec<V> codec, int entries, int lockStripes, int changelogCapacity) {
        this(location, codec, entries, lockStripes, changelogCapacity, false);
    }

    private ArraySpec(MapLocation location, Codec<V> codec, int entries, int lockStripes, int changelogCapacity,
                      boolean perCpu) {
        super(location);
        this.codec = codec;
        this.entries = entries;
        this.lockStripes = lockStripes;
        this.changelogCapacity = changelogCapacity;
        this.perCpu = perCpu;
    }

    @Override
    ArraySpec<V> at(MapLocation l) {
        return new ArraySpec<>(l, codec, entries, lockStripes, changelogCapacity, perCpu);
    }

    @Override
    public MapType type() {
        return MapType.ARRAY;
    }

    /**
     * The same spec with {@code stripes} entry locks: entry {@code i} is guarded by stripe {@code i % stripes}. Equal
     * to the entry count, every entry has its own lock. Default: one per entry up to 4096. An existing map must have
     * as many.
     *
     * @param stripes the number of entry locks
     * @return the changed copy
     * @throws IllegalArgumentException if stripes is less than 1
     */
    public ArraySpec<V> lockStripes(int stripes) {
        SpecRules.checkStripes(stripes);
        // a spec that takes its size from the map keeps the count; the map's entry count caps it on adoption
        return new ArraySpec<>(location, codec, entries, entries > 0 ? Math.min(stripes, entries) : stripes,
                changelogCapacity, perCpu);
    }

    /**
     * The same spec with room for {@code capacity} changes in the change log that subscribers read. Default 4096.
     *
     * @param capacity the number of changes the log keeps
     * @return the changed copy
     * @throws IllegalArgumentException if capacity is not a power of two of at least 16
     */
    public ArraySpec<V> changelogCapacity(int capacity) {
        return new ArraySpec<>(location, codec, entries, lockStripes, SpecRules.checkChangelog(capacity), perCpu);
    }

    /**
     * The same spec for a {@code BPF_MAP_TYPE_PERCPU_ARRAY} (bpf only): each entry holds one value per possible CPU,
     * which BPF programs update without atomics on their own CPU. {@link SharedArray#get} returns the sum of the
     * CPUs' values, {@link SharedArray#getPerCpu} each of them, and {@link SharedArray#set} sets every CPU's value.
     * The values cannot be mapped into memory: every access is a {@code bpf(2)} call, and there are no atomic slots.
     * An existing map must be per-CPU too.
     *
     * @param perCpu true for a per-CPU array
     * @return the changed copy
     */
    public ArraySpec<V> perCpu(boolean perCpu) {
        return new ArraySpec<>(location, codec, entries, lockStripes, changelogCapacity, perCpu);
    }

    /** {@return true for a spec of a per-CPU array ({@link #perCpu(boolean)})} */
    public boolean perCpu() {
        return perCpu;
    }

    /** {@return the codec of the values} */
    public Codec<V> codec() {
        return codec;
    }

    /** {@return the key schema: {@code u32}, the index} */
    public Schema keySchema() {
        return Schema.scalar(Schema.Kind.U32);
    }

    /** {@return the schema of the values, the codec's} */
    public Schema valueSchema() {
        return codec.schema();
    }

    /** {@return the number of entries; 0 for a spec that takes it from the map ({@link MapSpec#pinned})} */
    public int entries() {
        return entries;
    }

    /** {@return the number of entry locks (stripes)} */
    public int lockStripes() {
        return lockStripes > 0 ? lockStripes : ControlLayout.defaultStripes(entries);
    }

    /** {@return the number of changes the change log keeps} */
    public int changelogCapacity() {
        return changelogCapacity > 0 ? changelogCapacity : ControlLayout.DEFAULT_CHANGELOG;
    }

    Blueprint blueprint() {
        return location.blueprint(MapType.ARRAY, codec, null, entries, lockStripes, ControlLayout.defaultStripes(entries),
                changelogCapacity, false, false, perCpu, false);
    }

    @Override
    public String toString() {
        return blueprint().toString();
    }
}
