package dev.mapsync.cli.corruption;

import dev.mapsync.ArraySpec;
import dev.mapsync.Backend;
import dev.mapsync.ChangeCursor;
import dev.mapsync.Chars;
import dev.mapsync.Codec;
import dev.mapsync.HashSpec;
import dev.mapsync.KeyChangeCursor;
import dev.mapsync.LockGuard;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedBarrier;
import dev.mapsync.SharedCounters;
import dev.mapsync.SharedHashMap;
import dev.mapsync.SharedQueue;
import dev.mapsync.SharedRing;
import dev.mapsync.RingConsumer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Makes the template of every {@link MapKind} in a lived-in state, then dies without closing anything, so that
 * every template carries what a crashed process leaves: a lock held by a dead owner (entry 5 of the arrays), a
 * subscription of a dead process (writers keep recording changes), a party that died waiting at the barrier. The
 * maps' creator being dead also means nobody is finishing them: an opener need not wait for one that is not ready.
 * Arguments: {@code DIR BPFNAME} ({@code -} when the bpf backend cannot run here). Prints {@code ready} when done.
 */
public final class Templates {
    public record Account(long id, long balance, @Chars(16) String owner) {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        records(MapSpec.array(MapKind.RECORDS.template, Account.class, 64).dir(dir).changelogCapacity(64));
        longs(dir);
        hash(dir);
        queue(dir, MapKind.QUEUE.template, false);
        queue(dir, MapKind.SEALED.template, true);
        ring(dir);
        barrier(dir);
        counter(dir);
        if (!args[1].equals("-")) {
            records(MapSpec.array(args[1], Account.class, 64).dir(dir).changelogCapacity(64).backend(Backend.BPF));
        }
        System.out.println("ready");
        System.out.flush();
        Runtime.getRuntime().halt(0); // as a crash: locks stay held, subscriptions and the barrier party stay counted
    }

    private static void records(ArraySpec<Account> spec) {
        SharedArray<Account> a = SharedArray.create(spec);
        ChangeCursor changes = a.changes(); // never closed: a subscriber that died
        for (int i = 0; i < 8; i++) a.set(i, new Account(i, 100 + i, "owner" + i));
        a.longs("balance").getAndAdd(3, 5);
        changes.poll(Duration.ZERO);
        a.set(9, new Account(9, 9, "nine")); // one change the dead subscriber never read
        LockGuard held = a.lock(5); // never released: its owner dies
        if (held == null) throw new AssertionError();
    }

    /**
     * Gives a bpf records array the values {@link #records} gave it (its kernel map is shared by every case, and cases
     * write): by atomics and by entries whose locks are free in the template, so nothing else changes.
     */
    static void restoreValues(Path dir, String name) {
        try (SharedArray<Account> a = SharedArray.open(MapSpec.array(name, Account.class, 64).dir(dir)
                .backend(Backend.BPF))) {
            for (int i : new int[]{0, 1, 2, 3, 4, 6, 7}) a.set(i, new Account(i, 100 + i + (i == 3 ? 5 : 0), "owner" + i));
            a.longs("id").set(5, 5);
            a.longs("balance").set(5, 105);
            a.set(9, new Account(9, 9, "nine"));
        }
    }

    private static void longs(Path dir) {
        SharedArray<Long> a = SharedArray.create(MapSpec.array(MapKind.LONGS.template, Codec.i64(), 64).dir(dir)
                .lockStripes(8).changelogCapacity(64));
        ChangeCursor changes = a.changes();
        for (int i = 0; i < 16; i++) a.longs().set(i, i * 10L);
        for (int i = 0; i < 4; i++) a.longs().getAndAdd(3, 1);
        a.set(4, 44L);
        changes.poll(Duration.ZERO);
        a.lock(5);
    }

    private static void hash(Path dir) {
        SharedHashMap<String, Account> h = SharedHashMap.create(HashSpec.of(MapKind.HASH.template, Codec.chars(16),
                Codec.record(Account.class), 64).dir(dir).segments(4).changelogCapacity(64));
        KeyChangeCursor<String> changes = h.changes();
        for (int i = 0; i < 12; i++) h.put("k" + i, new Account(i, 100 + i, "owner" + i));
        h.remove("k7");
        h.getAndAdd("k3", "balance", 5);
        changes.poll(Duration.ZERO);
    }

    private static void queue(Path dir, String name, boolean sealed) {
        SharedQueue<Long> q = SharedQueue.create(MapSpec.queue(name, Codec.i64(), 4096).dir(dir));
        for (long v = 1; v <= 5; v++) q.offer(v);
        q.poll(Duration.ZERO);
        q.poll(Duration.ZERO);
        if (sealed) q.seal();
    }

    private static void ring(Path dir) {
        SharedRing r = SharedRing.create(MapSpec.ring(MapKind.RING.template, 4096).dir(dir));
        for (String s : new String[]{"hello", "a", "0123456789abcdefghij", "xyz"}) r.offer(s.getBytes(StandardCharsets.UTF_8));
        try (RingConsumer c = r.consumer()) {
            c.poll(Duration.ZERO);
        }
    }

    private static void counter(Path dir) {
        SharedCounters c = SharedCounters.create(MapSpec.counters(MapKind.COUNTER.template, 4).dir(dir));
        c.add(0, 5);
        c.add(3, 1);
        SharedCounters other = SharedCounters.open(MapSpec.counters(MapKind.COUNTER.template, 4).dir(dir));
        other.add(0, 7); // both handles die open: their cells stay, their slots are free once this process is gone
    }

    private static void barrier(Path dir) throws InterruptedException {
        SharedBarrier b = SharedBarrier.create(MapSpec.barrier(MapKind.BARRIER.template, 2).dir(dir));
        Thread.ofPlatform().daemon().start(() -> b.await(Duration.ofMinutes(1)));
        while (b.status().arrived() != 1) Thread.onSpinWait(); // dies waiting there
    }
}
