package dev.mapsync;

import dev.mapsync.internal.counter.CounterCells;
import dev.mapsync.internal.counter.CounterKind;
import dev.mapsync.internal.store.AccessFailures;
import dev.mapsync.internal.store.MapInfos;
import dev.mapsync.internal.store.MapRegion;
import dev.mapsync.internal.store.Opener;

import java.util.List;

/**
 * Sharded 64-bit counters shared between processes, as {@link java.util.concurrent.atomic.LongAdder} is between
 * threads and a kernel per-CPU map is between CPUs: each process adds into cells of its own, and a read sums the
 * cells. An {@link #add} is one atomic add on a cache line no other process writes, so it costs what an uncontended
 * {@code getAndAdd} costs however many processes add at once, while adds to one shared slot
 * ({@link LongSlots#getAndAdd}) contend for its cache line.
 *
 * <pre>{@code
 * try (SharedCounters requests = SharedCounters.openOrCreate(MapSpec.counters("requests", 2))) {
 *     requests.increment(0);          // this process's cell of counter 0
 *     requests.add(1, 512);           // this process's cell of counter 1
 *     long total = requests.sum(0);   // every process's adds to counter 0
 * }
 * }</pre>
 *
 * <p><b>Cells.</b> A read-write handle takes one of the map's 1024 process slots when it opens (as every read-write
 * handle of a map does) and adds into that slot's cells only. A slot keeps its cells when its holder closes or dies:
 * their counts stay in every sum, and the next handle that takes the slot goes on adding into them, so no add is ever
 * lost, whoever dies when. When 1024 read-write handles are open, the next read-write open fails with a
 * {@link MapSyncException} saying so; read-only handles take no slot.
 *
 * <p><b>Sums.</b> {@link #sum} adds up one counter's cells of every slot ever used. It is not a snapshot: it counts
 * every add that completed before it began, and may count some of those that run while it reads (as
 * {@link java.util.concurrent.atomic.LongAdder#sum()}), so two sums taken while adds run may not be ordered as the
 * adds were; once the adds stop, every sum is exact. A sum costs one load per process slot ever used, so where reads
 * are as frequent as adds, or only one process adds, one shared slot is the cheaper choice (docs/BENCHMARKS.md).
 * Values wrap around on overflow, as a {@code long} does.
 *
 * <p><b>Watching.</b> Adds publish no change notifications (waking watchers would put every add back on one shared
 * word); watch a counter by polling its sum at the rate you need.
 *
 * <p><b>Threads.</b> A handle is safe to share between threads: its threads add into the same cells, atomically, so
 * counts stay exact, but they contend with each other as they would on one slot. Threads that add at high rates can
 * each open a handle of their own (each takes a slot). A read-only handle can only read: {@link #add} throws
 * {@link MapAccessDeniedException}. After {@link #close()}, every call throws {@link MapClosedException}.
 *
 * <p>Counter maps live in shared memory only (the {@link MapSpec#defaultDir() default folder}, or the spec's folder);
 * the layout is docs/FORMAT.md §11.
 */
public final class SharedCounters implements SharedMap {
    private final MapRegion region;
    private final CounterCells cells;
    private final int count;
    private final boolean readOnly;

    private SharedCounters(MapRegion region) {
        this.region = region;
        this.cells = new CounterCells(region);
        this.count = cells.count();
        this.readOnly = region.readOnly();
    }

    /**
     * Creates a new counter map from a spec made by {@link MapSpec#counters(String, int)}; its counters are 0.
     *
     * @param spec the map's blueprint
     * @return the read-write handle
     * @throws MapExistsException       if a map of that name exists
     * @throws MapAccessDeniedException if the folder refuses
     */
    public static SharedCounters create(CounterSpec spec) {
        return Opener.create(spec.blueprint(), CounterKind.INSTANCE).into(SharedCounters::new);
    }

    /**
     * Opens an existing counter map.
     *
     * @param spec the map's blueprint
     * @return the read-write handle
     * @throws MapNotFoundException     if there is no such map
     * @throws IncompatibleMapException if it is not a counter map, or has another count than the spec
     * @throws CorruptMapException      if the file is not a complete map of a version this library reads
     * @throws MapSyncException         if all 1024 process slots are held by open handles
     */
    public static SharedCounters open(CounterSpec spec) {
        return Opener.open(spec.blueprint(), false, CounterKind.INSTANCE).into(SharedCounters::new);
    }

    /**
     * Opens the existing counter map at {@code location}, whatever its count.
     *
     * @param location the map
     * @return the read-write handle
     * @throws MapNotFoundException     if there is no such map
     * @throws IncompatibleMapException if it is not a counter map
     * @throws CorruptMapException      if the file is not a complete map of a version this library reads
     * @throws MapSyncException         if all 1024 process slots are held by open handles
     */
    public static SharedCounters open(MapLocation location) {
        return Opener.open(location.blueprint(), false, CounterKind.INSTANCE).into(SharedCounters::new);
    }

    /**
     * Opens an existing counter map to read its sums; it takes no process slot and cannot add.
     *
     * @param spec the map's blueprint
     * @return the read-only handle
     * @throws MapNotFoundException     if there is no such map
     * @throws IncompatibleMapException if it is not a counter map, or has another count than the spec
     * @throws CorruptMapException      if the file is not a complete map of a version this library reads
     */
    public static SharedCounters openReadOnly(CounterSpec spec) {
        return Opener.open(spec.blueprint(), true, CounterKind.INSTANCE).into(SharedCounters::new);
    }

    /**
     * {@link #openReadOnly(CounterSpec)} of the counter map at {@code location}, whatever its count.
     *
     * @param location the map
     * @return the read-only handle
     * @throws MapNotFoundException     if there is no such map
     * @throws IncompatibleMapException if it is not a counter map
     * @throws CorruptMapException      if the file is not a complete map of a version this library reads
     */
    public static SharedCounters openReadOnly(MapLocation location) {
        return Opener.open(location.blueprint(), true, CounterKind.INSTANCE).into(SharedCounters::new);
    }

    /**
     * Opens the counter map if it exists, else creates it. Concurrent callers get one map.
     *
     * @param spec the map's blueprint
     * @return the read-write handle
     * @throws IncompatibleMapException if the existing map is not a counter map of as many counters
     * @throws MapAccessDeniedException if the folder refuses
     * @throws MapSyncException         if all 1024 process slots are held by open handles
     */
    public static SharedCounters openOrCreate(CounterSpec spec) {
        return Opener.openOrCreate(spec.blueprint(), CounterKind.INSTANCE).into(SharedCounters::new);
    }

    /** {@return the map's name} */
    @Override
    public String name() {
        return region.name();
    }

    /** {@link Backend#SHM}: a counter map lives in shared memory only. */
    @Override
    public Backend backend() {
        return Backend.SHM;
    }

    @Override
    public MapInfo info() {
        if (region.isClosed()) throw new MapClosedException("counter map '" + name() + "' is closed");
        return MapInfos.ofOpen(region);
    }

    @Override
    public boolean isClosed() {
        return region.isClosed();
    }

    /** {@return the number of counters} */
    public int count() {
        return count;
    }

    /** {@return the process slot whose cells this handle adds into (0 to 1023), or -1 for a read-only handle} */
    public int slot() {
        return cells.slot();
    }

    /**
     * Adds {@code delta} to counter {@code index}: one atomic add on this process's cell. Publishes no change
     * notification.
     *
     * @param index the counter, {@code 0 .. count()-1}
     * @param delta what to add (negative to subtract)
     * @throws IndexOutOfRangeException if the index is out of range
     * @throws MapAccessDeniedException if the handle is read-only
     * @throws MapClosedException       if the handle is closed
     */
    public void add(int index, long delta) {
        checkIndex(index);
        if (readOnly) throw readOnlyWrite();
        try {
            cells.add(index, delta);
        } catch (IllegalStateException | IndexOutOfBoundsException | InternalError e) {
            throw closedOr(e);
        }
    }

    /**
     * {@link #add add(index, 1)}.
     *
     * @param index the counter, {@code 0 .. count()-1}
     * @throws IndexOutOfRangeException if the index is out of range
     * @throws MapAccessDeniedException if the handle is read-only
     * @throws MapClosedException       if the handle is closed
     */
    public void increment(int index) {
        add(index, 1);
    }

    /**
     * The value of counter {@code index}: the sum of its cells, of every process that ever added to it. Not a
     * snapshot while adds run (see the class comment); exact once they stop.
     *
     * @param index the counter, {@code 0 .. count()-1}
     * @return the sum
     * @throws IndexOutOfRangeException if the index is out of range
     * @throws MapClosedException       if the handle is closed
     */
    public long sum(int index) {
        checkIndex(index);
        try {
            return cells.sum(index);
        } catch (IllegalStateException | IndexOutOfBoundsException | InternalError e) {
            throw closedOr(e);
        }
    }

    /**
     * {@return the sum of every counter, by index}
     *
     * @throws MapClosedException if the handle is closed
     */
    public long[] sums() {
        try {
            return cells.sums();
        } catch (IllegalStateException | IndexOutOfBoundsException | InternalError e) {
            throw closedOr(e);
        }
    }

    /**
     * Takes counter {@code index} back to 0 and returns what it held: each cell in turn is exchanged for 0 atomically,
     * so every add, however it interleaves with this call, is counted exactly once, in what this returns or in later
     * sums. (As {@link java.util.concurrent.atomic.LongAdder#sumThenReset()}; a sum taken meanwhile may see some
     * cells reset and others not.)
     *
     * @param index the counter, {@code 0 .. count()-1}
     * @return what the counter's cells held
     * @throws IndexOutOfRangeException if the index is out of range
     * @throws MapAccessDeniedException if the handle is read-only
     * @throws MapClosedException       if the handle is closed
     */
    public long sumThenReset(int index) {
        checkIndex(index);
        if (readOnly) throw readOnlyWrite();
        try {
            return cells.sumThenReset(index);
        } catch (IllegalStateException | IndexOutOfBoundsException | InternalError e) {
            throw closedOr(e);
        }
    }

    /**
     * The cells of counter {@code index}: one per process slot ever used, by slot, with the pid of the slot's latest
     * holder. Their values add up to a {@link #sum} (read at about the same time).
     *
     * @param index the counter, {@code 0 .. count()-1}
     * @return the cells, by slot
     * @throws IndexOutOfRangeException if the index is out of range
     * @throws MapClosedException       if the handle is closed
     */
    public List<CounterCell> cells(int index) {
        checkIndex(index);
        try {
            return List.copyOf(cells.cells(index));
        } catch (IllegalStateException | IndexOutOfBoundsException | InternalError e) {
            throw closedOr(e);
        }
    }

    /** Gives back the process slot (its cells stay, and count) and unmaps the map. Idempotent. */
    @Override
    public void close() {
        region.close();
    }

    @Override
    public String toString() {
        return "SharedCounters[" + name() + ", " + count + " counters]";
    }

    private void checkIndex(int index) {
        if (Integer.compareUnsigned(index, count) >= 0) throw outOfRange(index);
    }

    private IndexOutOfRangeException outOfRange(int index) {
        return new IndexOutOfRangeException("index " + index + " is out of range for counter map '" + name()
                + "' (0.." + (count - 1) + ")");
    }

    private MapAccessDeniedException readOnlyWrite() {
        return new MapAccessDeniedException("counter map '" + name() + "' is open read-only; adds are refused");
    }

    private RuntimeException closedOr(Throwable e) {
        return AccessFailures.of("counter map '" + name() + "'", region.isClosed(), e);
    }
}
