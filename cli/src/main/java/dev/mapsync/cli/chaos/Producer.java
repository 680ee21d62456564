package dev.mapsync.cli.chaos;

import dev.mapsync.Backend;
import dev.mapsync.RingClaim;
import dev.mapsync.SharedQueue;
import dev.mapsync.WaitTimeoutException;
import dev.mapsync.cli.chaos.Feed.Item;
import dev.mapsync.internal.asm.RingEmitter;

import java.time.Duration;

/**
 * A queue producer: sends its slot's records numbered 1, 2, 3, ... noting each number as its intent before sending
 * and acknowledging it once the record is committed. A record in flight when the process is killed may or may not
 * reach the consumer; the slot's next process goes on after it (never sends that number again), so a number is
 * received at most once, and a number that never arrives is one a killed producer had in flight. Asked to stall, an
 * shm producer stops holding a claimed record it has filled but not committed (the consumer must skip it once the
 * producer is dead, and count it lost); a bpf producer stops after the kernel took the record, before acknowledging.
 */
final class Producer implements Work {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private final Control control;
    private final int slot;
    private final int producer;
    private final SharedQueue<Item> queue;
    private final RingEmitter emitter;
    private long next;

    Producer(Control control, int slot, Setup setup, long seed) {
        this.control = control;
        this.slot = slot;
        this.producer = slot - Kind.PRODUCER.firstSlot(setup.processes());
        boolean kernel = setup.backend() == Backend.BPF;
        this.queue = kernel ? null : SharedQueue.open(Feed.spec(setup));
        this.emitter = kernel ? RingEmitter.openPinned(Feed.emitterPin(setup)) : null;
    }

    /** Goes on after every number the slot acknowledged or had in flight. */
    @Override
    public void recover() {
        next = Math.max(control.slot(slot, Control.ACK), control.slot(slot, Control.INTENT)) + 1;
    }

    @Override
    public void once(boolean stall) {
        long seq = next;
        control.setSlot(slot, Control.INTENT, seq);
        Item item = new Item(producer, 0, seq);
        if (emitter != null) {
            emit(seq);
            if (stall) control.stallUntilKilled(slot);
        } else if (stall) {
            RingClaim claim = queue.ring().claim(queue.codec().size(), PATIENCE);
            queue.codec().write(claim.payload(), 0, item);
            control.stallUntilKilled(slot);
        } else {
            queue.put(item, PATIENCE);
        }
        control.setSlot(slot, Control.ACK, seq);
        next++;
    }

    private void emit(long seq) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (emitter.emit(producer, RingEmitter.KIND_RECORD, seq) == RingEmitter.RING_FULL) {
            if (System.nanoTime() - deadline > 0) {
                throw new WaitTimeoutException("the kernel ring stayed full for " + PATIENCE.toSeconds() + " s");
            }
            Thread.onSpinWait();
        }
    }

    @Override
    public void close() {
        if (queue != null) queue.close();
        if (emitter != null) emitter.close();
    }
}
