package dev.mapsync.cli.chaos;

import dev.mapsync.SharedHashMap;

import java.util.SplittableRandom;

/**
 * A hash writer: puts, removes and computes (read-modify-write under the key's lock) its own keys, noting its intent
 * before each operation and acknowledging the result after it. Since no one else writes its keys, every operation
 * must find exactly the value last acknowledged; a put must find it, a remove must return it. Asked to stall, it
 * stops inside a {@code compute}, holding the key's segment lock (shm) or stripe lock (bpf).
 */
final class HashWriter implements Work {
    private final Control control;
    private final int slot;
    private final int worker;
    private final SharedHashMap<Long, Cell> map;
    private final SplittableRandom random;

    HashWriter(Control control, int slot, Setup setup, long seed) {
        this.control = control;
        this.slot = slot;
        this.worker = slot - Kind.HASH.firstSlot(setup.processes());
        this.map = SharedHashMap.open(Cell.spec(setup));
        this.random = new SplittableRandom(seed);
    }

    /**
     * The previous process of this slot was killed in the operation its intent names: that operation happened
     * whole or not at all (a hash map loses at most the operation a killed writer was making), and what the key
     * holds now says which; it becomes the acknowledged state.
     */
    @Override
    public void recover() {
        long intent = control.slot(slot, Control.INTENT);
        if (intent == 0) return;
        int i = Cell.intentKey(intent);
        long key = Cell.key(worker, i);
        long acked = control.get(Cell.ackWord(slot, i));
        long intended = Cell.acknowledged(Cell.intentOp(intent), Cell.intentVersion(intent));
        Cell now = map.get(key);
        if (now != null && !now.wholeFor(key)) {
            control.violation(slot, "hash: key " + Long.toHexString(key) + " was read half-written: " + now);
        } else if (Cell.matches(now, intended)) {
            control.set(Cell.ackWord(slot, i), intended);
        } else if (!Cell.matches(now, acked)) {
            control.violation(slot, "hash: key " + Long.toHexString(key) + " holds "
                    + (now == null ? "nothing" : "version " + now.version()) + " after a writer was killed changing it"
                    + " from " + Cell.describe(acked) + " to " + Cell.describe(intended));
        }
        control.setSlot(slot, Control.INTENT, 0);
    }

    @Override
    public void once(boolean stall) {
        int i = random.nextInt(Cell.KEYS);
        long key = Cell.key(worker, i);
        long acked = control.get(Cell.ackWord(slot, i));
        long version = Math.abs(acked) + 1;
        // a present key is removed one time in eight: about nine keys in ten are present, close to the capacity
        int op = acked > 0 && random.nextInt(8) == 0 ? Cell.REMOVE : random.nextBoolean() ? Cell.PUT : Cell.COMPUTE;
        control.setSlot(slot, Control.INTENT, Cell.intent(i, op, version));
        try {
            if (stall) map.compute(key, (k, old) -> {
                control.stallUntilKilled(slot);
                return old;
            });
            switch (op) {
                case Cell.PUT -> expect(key, map.put(key, Cell.of(key, version)), acked, "put");
                case Cell.REMOVE -> expect(key, map.remove(key), acked, "remove");
                default -> map.compute(key, (k, old) -> {
                    expect(key, old, acked, "compute");
                    return Cell.of(key, version);
                });
            }
            control.set(Cell.ackWord(slot, i), Cell.acknowledged(op, version));
            control.setSlot(slot, Control.INTENT, 0);
        } catch (Violation v) {
            control.violation(slot, v.getMessage());
        }
    }

    /** The value an operation found must be the one acknowledged last. */
    private static void expect(long key, Cell found, long acked, String op) {
        if (found != null && !found.wholeFor(key)) {
            throw new Violation("hash: " + op + " of key " + Long.toHexString(key) + " found a half-written value: "
                    + found);
        }
        if (!Cell.matches(found, acked)) {
            throw new Violation("hash: " + op + " of key " + Long.toHexString(key) + " found "
                    + (found == null ? "nothing" : "version " + found.version()) + ", but " + Cell.describe(acked)
                    + " was acknowledged last");
        }
    }

    @Override
    public void close() {
        map.close();
    }
}
