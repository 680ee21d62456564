package dev.mapsync;

import dev.mapsync.internal.store.Durations;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A queue of typed values shared between processes: many producers, one consumer, over a {@link SharedRing} whose
 * records are values of one {@link Codec} (each is encoded straight into the ring and decoded straight out of it).
 *
 * <pre>{@code
 * record Job(long id, int priority, @Chars(20) String owner) {}
 * QueueSpec<Job> spec = MapSpec.queue("jobs", Job.class, 1 << 16);
 * try (SharedQueue<Job> jobs = SharedQueue.openOrCreate(spec)) {
 *     jobs.put(new Job(1, 5, "ada"), Duration.ofSeconds(1));   // waits for room; offer() does not
 * }
 * // in the consumer process
 * try (SharedQueue<Job> jobs = SharedQueue.open(spec)) {
 *     Job next = jobs.poll(Duration.ofSeconds(1));             // null on timeout
 * }
 * }</pre>
 *
 * <p>The first {@link #poll} (or {@link #drain}) makes this handle the queue's one consumer, across all processes;
 * another handle's poll then throws {@link ConsumerBusyException} until this one is closed (or its process ends).
 * Values are read in the order their records were claimed; each producer's values keep their order. A queue on the
 * {@link Backend#BPF bpf} backend is a kernel ring buffer whose records BPF programs write as C structs of the
 * codec's layout; this handle only consumes it.
 *
 * <p>Full queue: {@link #offer} returns false, {@link #put} waits up to its timeout, then throws
 * {@link WaitTimeoutException}. Sealed queue ({@link #seal()}): producers get {@link RingSealedException}; the
 * consumer reads what is left, then {@code poll} returns null at once and {@link #isDrained()} is true. Closed
 * handle: {@link MapClosedException}, from every method. A value that does not fit the codec:
 * {@link InvalidValueException} (an {@code offer} or {@code put} then adds nothing; a {@code poll} of a record that
 * is not a value of the codec skips it).
 *
 * <p><b>Threads.</b> A queue handle is safe to share between the threads of a process, as a
 * {@code java.util.concurrent} queue is: any number of threads may offer, put, poll and drain at once, and each
 * value is taken by exactly one of them. The threads of the consuming handle take turns (each value in the queue's
 * order goes to the thread whose turn it is): {@link #poll(Duration)} waits for its turn up to its own timeout;
 * {@link #poll()} and {@link #drain} never wait, and return null (0) while another thread of this handle is taking
 * a value, as when the queue is empty. Offers and puts from many threads wait for one another only for the few
 * stores of a claim.
 *
 * @param <T> the Java type of a value
 */
public final class SharedQueue<T> implements SharedMap {
    private final SharedRing ring;
    private final Codec<T> codec;
    private volatile RingConsumer consumer;

    private SharedQueue(SharedRing ring, Codec<T> codec) {
        this.ring = ring;
        this.codec = codec;
    }

    private static <T> SharedQueue<T> wrap(SharedRing ring, Codec<T> codec) {
        try {
            return new SharedQueue<>(ring, codec);
        } catch (RuntimeException | Error e) {
            ring.close();
            throw e;
        }
    }

    /** A queue of the ring's own value schema. */
    static SharedQueue<Object> adopt(SharedRing ring) {
        Codec<Object> codec;
        try {
            Schema schema = ring.valueSchema().orElseThrow(() -> new IncompatibleMapException("ring '" + ring.name()
                    + "' holds records of any length; a queue needs fixed-size values (open it with SharedRing)",
                    "value schema"));
            codec = Codec.of(schema);
        } catch (RuntimeException | Error e) {
            ring.close();
            throw e;
        }
        return wrap(ring, codec);
    }

    /**
     * Creates a new queue from a spec made by {@link MapSpec#queue}.
     *
     * @param spec the queue's blueprint
     * @param <T>  the Java type of a value
     * @return the handle
     * @throws MapExistsException       if a map of that name exists
     * @throws MapAccessDeniedException if the folder (or, for the bpf backend, the kernel) refuses
     */
    public static <T> SharedQueue<T> create(QueueSpec<T> spec) {
        return wrap(SharedRing.create(spec.blueprint()), spec.codec());
    }

    /**
     * Opens an existing queue, checked against the spec.
     *
     * @param spec the queue's blueprint
     * @param <T>  the Java type of a value
     * @return the handle
     * @throws MapNotFoundException     if there is no such map
     * @throws IncompatibleMapException if the map is not a queue, or its values differ from the spec's
     */
    public static <T> SharedQueue<T> open(QueueSpec<T> spec) {
        return wrap(SharedRing.open(spec.blueprint(), false), spec.codec());
    }

    /**
     * Opens the existing queue at {@code location} with its own value schema (values are then
     * {@code Map<String, Object>} for structs).
     *
     * @param location the queue
     * @return the handle
     * @throws MapNotFoundException     if there is no such map
     * @throws IncompatibleMapException if the map is not a queue (a ring of records of any length, or no ring)
     */
    public static SharedQueue<Object> open(MapLocation location) {
        return adopt(SharedRing.open(location.blueprint(), false));
    }

    /**
     * Opens the queue if it exists (checking it against the spec), else creates it. Concurrent callers get one queue.
     *
     * @param spec the queue's blueprint
     * @param <T>  the Java type of a value
     * @return the handle
     * @throws IncompatibleMapException if the existing map is not a queue of the spec's values
     * @throws MapAccessDeniedException if the folder (or, for the bpf backend, the kernel) refuses
     */
    public static <T> SharedQueue<T> openOrCreate(QueueSpec<T> spec) {
        return wrap(SharedRing.openOrCreate(spec.blueprint()), spec.codec());
    }

    /** {@return the queue's name} */
    public String name() {
        return ring.name();
    }

    /** {@link Backend#BPF} for a kernel ring buffer. */
    @Override
    public Backend backend() {
        return ring.backend();
    }

    @Override
    public MapInfo info() {
        return ring.info();
    }

    @Override
    public boolean isClosed() {
        return ring.isClosed();
    }

    /** {@return the codec of the values} */
    public Codec<T> codec() {
        return codec;
    }

    /** {@return the ring the values travel in (this handle's own, closed with it)} */
    public SharedRing ring() {
        return ring;
    }

    /**
     * {@return how many values the queue holds when its consumer has taken none} At least the
     * {@link QueueSpec#capacityValues()} it was made with: as many as its ring of {@link SharedRing#capacityBytes()}
     * has room for.
     */
    public long capacityValues() {
        return ring.capacityBytes() / dev.mapsync.internal.ring.RingLayout.recordSize(codec.size());
    }

    /**
     * Adds {@code value} if there is room now.
     *
     * @param value the value
     * @return false when the queue is full
     * @throws InvalidValueException    if the value does not fit its schema (nothing is added)
     * @throws RingSealedException      if the queue was sealed
     * @throws MapAccessDeniedException for a kernel ring buffer, which only BPF programs fill
     * @throws LockTimeoutException     if the ring's reserve lock stayed held for the lock timeout, which only a peer
     *                                  that wrote into it does ({@link SharedRing#offer(byte[])})
     */
    public boolean offer(T value) {
        return ring.write(codec, value, -1);
    }

    /**
     * Adds {@code value}, waiting up to {@code timeout} for room.
     *
     * @param value   the value
     * @param timeout how long to wait for room
     * @throws WaitTimeoutException     if the queue stayed full for all of {@code timeout} (a
     *                                  {@link LockTimeoutException} if its ring's reserve lock stayed held that long)
     * @throws WaitInterruptedException if the thread was interrupted while it waited
     * @throws IllegalArgumentException if the timeout is negative
     * @throws InvalidValueException    as {@link #offer} does, and its other exceptions
     */
    public void put(T value, Duration timeout) {
        if (timeout.isNegative()) throw new IllegalArgumentException("negative timeout " + timeout);
        long deadline = System.nanoTime() + Math.min(timeout.toNanos(), Long.MAX_VALUE / 4);
        if (!ring.write(codec, value, deadline == -1 ? 0 : deadline)) {
            throw new WaitTimeoutException("timed out after " + Durations.text(timeout) + " waiting for room in queue '"
                    + name() + "': all " + capacityValues() + " values are waiting for the consumer");
        }
    }

    /**
     * Takes the next value if there is one now. The first take makes this handle the consumer.
     *
     * @return the value, or null when the queue is empty (or another thread of this handle is taking one)
     * @throws ConsumerBusyException if another handle, here or in another process, is the queue's consumer
     */
    public T poll() {
        RingConsumer c = consumer();
        return c.next() == null ? null : c.read(codec);
    }

    /**
     * Takes the next value, waiting up to {@code timeout}. The first take makes this handle the consumer.
     *
     * @param timeout how long to wait
     * @return the value, or null on timeout, or at once when the queue is sealed and drained
     * @throws ConsumerBusyException    if another handle, here or in another process, is the queue's consumer
     * @throws WaitInterruptedException if the thread was interrupted while it waited
     */
    public T poll(Duration timeout) {
        RingConsumer c = consumer();
        return c.next(timeout) == null ? null : c.read(codec);
    }

    /**
     * Hands up to {@code limit} values that are in the queue now to {@code handler}, one at a time, each taken before
     * the handler gets it (so the handler may use the queue). The first take makes this handle the consumer.
     *
     * @param handler gets each value
     * @param limit   the most values to take
     * @return how many values the handler got (0 also while another thread of this handle is taking one)
     * @throws ConsumerBusyException if another handle, here or in another process, is the queue's consumer
     */
    public int drain(Consumer<? super T> handler, int limit) {
        RingConsumer c = consumer();
        int n = 0;
        while (n < limit && c.next() != null) {
            T value = c.read(codec);
            n++;
            handler.accept(value);
        }
        return n;
    }

    /**
     * Seals the queue: no more values are added ({@link SharedRing#seal()}).
     *
     * @throws MapAccessDeniedException for a kernel ring buffer
     * @throws LockTimeoutException     as {@link SharedRing#seal()} does
     */
    public void seal() {
        ring.seal();
    }

    /** {@return true once the queue was sealed} */
    public boolean isSealed() {
        return ring.isSealed();
    }

    /**
     * True when the queue is sealed and every value was taken. Makes this handle the consumer. False while another
     * thread of this handle is taking a value (so the queue was not drained when this was asked).
     *
     * @return true when no more values will come
     * @throws ConsumerBusyException if another handle is the queue's consumer
     */
    public boolean isDrained() {
        return consumer().isDrained();
    }

    /** {@return what the queue holds and who consumes it, read now} */
    public RingStatus status() {
        return ring.status();
    }

    /** {@return how many values this handle's consumer skipped because their producer died before committing them} */
    public long lost() {
        return consumer == null ? 0 : consumer.lost();
    }

    private synchronized RingConsumer consumer() {
        if (consumer == null) consumer = ring.consumer();
        return consumer;
    }

    /** Closes the handle (and its consumer role). Idempotent. */
    @Override
    public void close() {
        ring.close();
    }

    @Override
    public String toString() {
        return "SharedQueue[" + name() + ", " + capacityValues() + " x " + codec.schema() + "]";
    }
}
