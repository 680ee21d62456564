package dev.mapsync.readme;

import dev.mapsync.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The Java examples of README.md, compiled: each {@code ```java} block of the README, in order, is here line for line
 * (leading spaces aside), with the declarations it needs around it. A line between two lines of one block that is not
 * in the README ends with {@code (not in README)}; {@link ReadmeExamplesTest} checks both.
 *
 * <p>{@link #main} runs every example that runs on the shm backend, in the default folder (the test gives the child
 * JVM a folder of its own through {@code MAPSYNC_DIR}, so the README's map names are unique there), and prints what
 * each example read, one line at a time, for the test to compare.
 */
final class ReadmeExamples {
    private ReadmeExamples() {}

    // ----------------------------------------------------------------------------------------- Java quick start

    record Account(long id, long balance, @Chars(16) String owner) {}   // struct { int64_t; int64_t; char[16]; }

    static void quickStart() {                                                                      // (not in README)
        try (SharedArray<Account> accounts =
                 SharedArray.openOrCreate(MapSpec.array("accounts", Account.class, 1024))) {
            accounts.set(7, new Account(7, 100, "ada"));
            Account a = accounts.get(7);
            log("quick start: get(7) = " + a);                                                      // (not in README)
            accounts.longs("balance").getAndAdd(7, -10);        // lock xadd on the shared page
        }

        try (SharedArray<Long> hits = SharedArray.openOrCreate(MapSpec.array("hits", Codec.i64(), 256))) {
            LongSlots slots = hits.longs();                     // allocation-free atomics
            slots.getAndAdd(3, 1);
            slots.compareAndSet(4, 0, 42);
            long seen = slots.getAcquire(3);
            log("quick start: seen = " + seen + ", slot 4 = " + slots.get(4));                      // (not in README)
        }
    }

    // ----------------------------------------------------- Locks that survive their owner, and reads never torn

    static void locks(SharedArray<Account> accounts, int from, int to) {
        try (LockGuard held = accounts.lockAll(from, to)) {        // stripes taken in ascending order: no deadlock
            if (held.previousOwnerDied()) repair(from, to);         // the last owner was killed while holding it
            accounts.set(from, debit(accounts.get(from)));
            accounts.set(to, credit(accounts.get(to)));
        }
        accounts.update(7, a -> new Account(a.id(), a.balance() + 5, a.owner()));  // lock, read, apply, write, unlock
    }

    static void repair(int from, int to) {
        throw new AssertionError("no owner of entries " + from + " and " + to + " died");
    }

    static Account debit(Account a) {
        return new Account(a.id(), a.balance() - 10, a.owner());
    }

    static Account credit(Account a) {
        return new Account(a.id(), a.balance() + 10, a.owner());
    }

    // --------------------------------------------------------------------------------------- Change notifications

    static void changeNotifications(SharedArray<Long> counters) {
        try (ChangeCursor changes = counters.changes(0, 15)) {      // pull form, keys 0..15
            counters.longs().getAndAdd(3, 1);                        // a change for the poll to deliver (not in README)
            for (ChangeEvent e : changes.poll(Duration.ofSeconds(1))) {
                switch (e) {
                    case Change c -> System.out.println(c.key() + " changed (seq " + c.seq() + ", pid " + c.pid() + ")");
                    case MissedChanges m -> resync();                  // told exactly how many it missed
                }
            }
        }
        try (Subscription sub = counters.watch(e -> log(e))) {      // callback form, on a thread mapsync manages
            serve();                                                  // log gets every change until the subscription closes
        }
    }

    static void resync() {
        throw new AssertionError("the cursor missed changes");
    }

    /**
     * The application's work while the subscription is open. Here: a change that another handle of the map makes (as
     * another process would), and a wait until the listener has logged it.
     */
    static void serve() {
        LOGGED.clear();
        try (SharedArray<Long> counters = SharedArray.open(MapSpec.array("counters", Codec.i64(), 16))) {
            counters.longs().getAndAdd(5, 1);
        }
        try {
            Object seen = LOGGED.poll(30, TimeUnit.SECONDS);
            if (!(seen instanceof Change c) || c.key() != 5) throw new AssertionError("the listener got " + seen);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    // ------------------------------------------------------------------------------------------------ Hash maps

    record Session(long user, long expires, @Chars(32) String ip) {}

    static void hashMaps() {                                                                        // (not in README)
        HashSpec<String, Session> spec = HashSpec.of("sessions", Codec.chars(36), Codec.record(Session.class), 100_000);
        try (SharedHashMap<String, Session> sessions = SharedHashMap.openOrCreate(spec)) {
            sessions.put("4b1d9c", new Session(42, 1767225600, "10.0.0.7"));   // MapFullException beyond the capacity
            Session s = sessions.get("4b1d9c");                                // no lock, never torn, never waits
            log("hash: get = " + s);                                                                // (not in README)
            sessions.getAndAdd("4b1d9c", "expires", 3600);                     // a numeric field, under the key's lock
            sessions.compute("4b1d9c", (k, v) -> v == null ? null : new Session(v.user(), v.expires(), "10.0.0.8"));
            for (Map.Entry<String, Session> e : sessions) log(e);              // each segment a consistent snapshot
            try (KeyChangeCursor<String> changes = sessions.changes()) {       // KeyChange(key, PUT/REMOVE/ADD, seq, pid)
                sessions.getAndAdd("4b1d9c", "expires", 60);
                for (KeyChangeEvent<String> e : changes.poll(Duration.ofSeconds(1))) log(e);
            }

            // a transaction over keys: move a record from one key to another, atomic to every process that reads with getAll
            try (LockGuard g = sessions.lockAll("4b1d9c", "77aa01")) {        // one order in every process: no deadlock
                Session moved = sessions.remove("4b1d9c");                    // runs under the lock this thread holds
                sessions.put("77aa01", moved);
            }
            Map<String, Session> both = sessions.getAll(List.of("4b1d9c", "77aa01")); // one moment: the record once, never twice
            log("hash: getAll = " + both);                                                          // (not in README)
        }
    }

    // --------------------------------------------------------------------------------- Queues, rings and barriers

    record Job(long id, int priority, @Chars(20) String owner) {}

    static void queuesAndRings() {                                                                  // (not in README)
        // producers, in any number of processes
        try (SharedQueue<Job> jobs = SharedQueue.openOrCreate(MapSpec.queue("jobs", Job.class, 4096))) {
            jobs.offer(new Job(1, 5, "ada"));                      // false when the queue is full
            jobs.put(new Job(2, 1, "bob"), Duration.ofSeconds(1)); // waits for room, then WaitTimeoutException
        }
        // the one consumer
        try (SharedQueue<Job> jobs = SharedQueue.open(MapSpec.queue("jobs", Job.class, 4096))) {
            Job next = jobs.poll(Duration.ofSeconds(1));           // null on timeout
            log("queue: poll = " + next);                                                           // (not in README)
        }

        // records of any length, zero-copy on both sides
        try (SharedRing ring = SharedRing.openOrCreate(MapSpec.ring("events", 1 << 20))) {
            try (RingClaim claim = ring.claim(16, Duration.ofSeconds(1))) {   // write in place, then commit
                claim.payload().set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 42L);
                claim.commit();                                               // closing without commit discards
            }
            try (RingConsumer consumer = ring.consumer();                     // one consumer at a time, across processes
                 RingRecord r = consumer.next(Duration.ofSeconds(1))) {       // a view of the ring, valid until released
                long v = r.payload().get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
                // closing releases it; r.unread() instead leaves it in the ring, and the next read returns it again
                log("ring: record of " + r.length() + " bytes, first long " + v);                   // (not in README)
            }
        }
    }                                                                                               // (not in README)

    // needs a kernel ring buffer pinned at /sys/fs/bpf/events, which BPF programs fill: compiled, not run (not in README)
    static void kernelRing() {                                                                      // (not in README)
        // a kernel ring buffer: BPF programs produce, this process consumes straight from its pages (epoll to sleep)
        try (SharedRing trace = SharedRing.open(MapSpec.pinnedRing(Path.of("/sys/fs/bpf/events")));
             RingConsumer consumer = trace.consumer()) {
            consumer.drain(payload -> handle(payload), 1000);
        }
    }                                                                                               // (not in README)

    // one party's part: main runs it in 4 threads, each with a handle of its own, as 4 processes would (not in README)
    static long barrier() {                                                                         // (not in README)
        // a barrier: 4 processes meet, generation after generation
        try (SharedBarrier phase = SharedBarrier.openOrCreate(MapSpec.barrier("phase", 4))) {
            long generation = phase.await(Duration.ofSeconds(30));
            return generation;                                                                      // (not in README)
        }
    }

    // ------------------------------------------------------------------------------------------- Sharded counters

    static void counters() {                                                                        // (not in README)
        // each process adds into cells of its own: adds from many processes never contend for a cache line
        try (SharedCounters requests = SharedCounters.openOrCreate(MapSpec.counters("requests", 2))) {
            requests.increment(0);                 // one atomic add on this process's cell
            requests.add(1, 512);
            long total = requests.sum(0);          // every process's cells, summed (a load per process)
            log("counters: sum(0) = " + total + ", sum(1) = " + requests.sum(1));                   // (not in README)
        }
    }                                                                                               // (not in README)

    // needs a user ring buffer pinned at /sys/fs/bpf/app/events, which a BPF program drains: compiled, not run (not in README)
    static void userRing() {                                                                        // (not in README)
        // the program's loader pinned its user ring at /sys/fs/bpf/app/events
        try (SharedRing events = SharedRing.open(MapSpec.pinnedRing(Path.of("/sys/fs/bpf/app/events")));
             RingClaim claim = events.claim(16, Duration.ofSeconds(1))) {
            claim.payload().set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 42);
            claim.commit();                              // the next bpf_user_ringbuf_drain sees it
        }
    }                                                                                               // (not in README)

    static void handle(MemorySegment payload) {
        log("kernel record of " + payload.byteSize() + " bytes");
    }

    // ---------------------------------------------------------------------------------------------------- running

    /** What {@link #log} was given, for {@link #serve} to wait on. */
    private static final BlockingQueue<Object> LOGGED = new LinkedBlockingQueue<>();

    /** Prints {@code o} on a line of its own. */
    static void log(Object o) {
        System.out.println(o);
        LOGGED.add(o);
    }

    /** Runs the examples that run on the shm backend, in the default folder, and prints what they read. */
    public static void main(String[] args) throws Exception {
        quickStart();

        try (SharedArray<Account> accounts = SharedArray.open(MapSpec.array("accounts", Account.class, 1024))) {
            accounts.set(1, new Account(1, 100, "ada"));
            accounts.set(2, new Account(2, 100, "bob"));
            locks(accounts, 1, 2);
            log("locks: " + accounts.get(1) + " " + accounts.get(2) + " " + accounts.get(7));
        }

        try (SharedArray<Long> counters = SharedArray.openOrCreate(MapSpec.array("counters", Codec.i64(), 16))) {
            changeNotifications(counters);
        }

        hashMaps();
        queuesAndRings();

        ExecutorService parties = Executors.newFixedThreadPool(4);
        try {
            List<Future<Long>> generations = new ArrayList<>();
            Callable<Long> party = ReadmeExamples::barrier;
            for (int i = 0; i < 4; i++) generations.add(parties.submit(party));
            List<Long> tripped = new ArrayList<>();
            for (Future<Long> g : generations) tripped.add(g.get());
            log("barrier: generations " + tripped);
        } finally {
            parties.shutdownNow();
        }
        counters();
    }
}
