package dev.mapsync.cli.chaos;

import dev.mapsync.LockGuard;
import dev.mapsync.SharedArray;
import dev.mapsync.cli.chaos.Ledger.Entry;

import java.util.SplittableRandom;

/**
 * A transfer worker: moves random amounts between random pairs of accounts, each transfer under the locks of both
 * accounts and of its own journal, by the protocol {@link Journals} describes. Asked to stall, it stops at a random
 * step of a transfer: before its journal, after it, after the debit, or after the credit.
 */
final class TransferWorker implements Work {
    private final Control control;
    private final int slot;
    private final int workers;
    private final int journal;
    private final SharedArray<Entry> map;
    private final SplittableRandom random;

    TransferWorker(Control control, int slot, Setup setup, long seed) {
        this.control = control;
        this.slot = slot;
        this.workers = setup.processes();
        this.journal = Ledger.journal(slot - Kind.TRANSFER.firstSlot(workers));
        this.map = SharedArray.open(Ledger.spec(setup));
        this.random = new SplittableRandom(seed);
    }

    /** The previous process of this slot may have died inside a transfer: its journal says which. */
    @Override
    public void recover() {
        resolve(journal);
    }

    @Override
    public void once(boolean stall) {
        int a = random.nextInt(Ledger.ACCOUNTS);
        int b = random.nextInt(Ledger.ACCOUNTS - 1);
        if (b >= a) b++;
        long amount = random.nextInt(1, 100);
        int stallAt = stall ? random.nextInt(4) : -1;
        int blocking;
        try (LockGuard held = map.lockAll(a, b, journal)) {
            if (held.previousOwnerDied()) control.addSlot(slot, Control.TAKEOVERS, 1);
            if (stallAt == 0) control.stallUntilKilled(slot);
            blocking = Journals.blocking(map, workers, a, b, journal);
            if (blocking < 0) {
                transfer(a, b, amount, stallAt);
                return;
            }
        } catch (Violation v) {
            control.violation(slot, v.getMessage());
            return;
        }
        resolve(blocking); // with no lock held: it takes the locks that journal needs
    }

    private void transfer(int a, int b, long amount, int stallAt) {
        Entry ea = Journals.peek(map, a), eb = Journals.peek(map, b);
        if (ea == null || eb == null) {
            throw new Violation("account " + (ea == null ? a : b) + " is torn, but no journal holds a transfer of it");
        }
        long tx = control.nextTx();
        map.set(journal, Entry.pending(tx, a, b, amount, ea, eb));
        if (stallAt == 1) control.stallUntilKilled(slot);
        map.set(a, Entry.account(ea.balance() - amount, tx));
        if (stallAt == 2) control.stallUntilKilled(slot);
        map.set(b, Entry.account(eb.balance() + amount, tx));
        if (stallAt == 3) control.stallUntilKilled(slot);
        map.set(journal, Entry.journal(Ledger.IDLE, tx));
    }

    private void resolve(int j) {
        try {
            Journals.Resolution r = Journals.resolve(map, j);
            if (r.resolved()) control.addSlot(slot, Control.RESOLVED, 1);
            if (r.tornRepaired() > 0) control.addSlot(slot, Control.REPAIRS, r.tornRepaired());
        } catch (Violation v) {
            control.violation(slot, v.getMessage());
        }
    }

    @Override
    public void close() {
        map.close();
    }
}
