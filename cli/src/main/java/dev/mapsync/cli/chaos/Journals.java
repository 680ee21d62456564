package dev.mapsync.cli.chaos;

import dev.mapsync.LockGuard;
import dev.mapsync.SharedArray;
import dev.mapsync.TornEntryException;
import dev.mapsync.cli.chaos.Ledger.Entry;

/**
 * Finishing a transfer that a killed worker left in doubt, by whoever meets it: another transfer worker, the slot's
 * next process, or the coordinator's audit.
 *
 * <p>A transfer {@code t} of worker {@code w}, holding the locks of accounts A and B and of its journal J:
 * <ol>
 * <li>looks at every journal: if one is PENDING and names A or B, it lets its locks go and resolves that one
 *     first;</li>
 * <li>reads A and B, and writes J = PENDING(t, A, B, amount, their balances and last transfer ids);</li>
 * <li>writes A = (balance - amount, t);</li>
 * <li>writes B = (balance + amount, t);</li>
 * <li>writes J = IDLE(t).</li>
 * </ol>
 * Why that keeps the total exact whatever instruction the kill lands on:
 * <ul>
 * <li>A journal is PENDING from the end of step 2 until step 5 (or a resolution) ends. Its worker holds A's and B's
 *     locks all that time, so anyone else holding one of them who sees the journal PENDING knows its writer is
 *     dead.</li>
 * <li>While it is PENDING, nobody but a resolver writes A or B: every transfer does step 1 under its accounts' locks.
 *     So a resolver finds each account in one of three states: as the journal says it was (the write never began),
 *     written by {@code t}, or torn (the kill came inside that write: its bytes are lost, but the journal has its old
 *     balance). Any other state is a violation.</li>
 * <li>A torn journal stands for no transfer in flight: a journal is written only while both accounts are whole and
 *     settled (before step 3, after step 4, and by a resolver after it fixed them). Whoever holds its lock rewrites it
 *     IDLE.</li>
 * <li>The decision depends only on the accounts' states and the journal, and RESOLVED is written last, so a resolver
 *     that is killed part way is resolved again, the same way, by the next.</li>
 * </ul>
 * The decision: A untouched means the money never left (then B must be untouched too): roll back, which writes nothing
 * but the journal. Otherwise roll forward: A = fromOld - amount if it is torn, B = toOld + amount unless {@code t}
 * wrote it.
 */
final class Journals {
    private Journals() {}

    /** What a resolution did. */
    record Resolution(boolean resolved, boolean forward, int tornRepaired) {
        static final Resolution NONE = new Resolution(false, false, 0);
    }

    private enum State { UNTOUCHED, WRITTEN, TORN }

    /**
     * The journal of {@code workers} that blocks a transfer between {@code a} and {@code b} (step 1): one that is
     * PENDING and names either, or the transferring worker's own journal {@code own} if it is PENDING at all (its
     * previous process died in a transfer, and the next one must not write over it); -1 when none.
     */
    static int blocking(SharedArray<Entry> map, int workers, int a, int b, int own) {
        for (int w = 0; w < workers; w++) {
            int index = Ledger.journal(w);
            Entry j = peek(map, index);
            if (j == null || j.kind() != Ledger.PENDING) continue;
            if (index == own || j.from() == a || j.from() == b || j.to() == a || j.to() == b) return index;
        }
        return -1;
    }

    /** Entry {@code index} read without its lock, or null when it is torn. */
    static Entry peek(SharedArray<Entry> map, int index) {
        try {
            Entry e = map.get(index);
            if (!e.whole()) throw new Violation("entry " + index + " of the ledger was read half-written: " + e);
            return e;
        } catch (TornEntryException torn) {
            return null;
        }
    }

    /** Resolves journal {@code j} if it holds a transfer in doubt, taking the locks of its accounts and itself. */
    static Resolution resolve(SharedArray<Entry> map, int j) {
        Entry seen = peek(map, j);
        if (seen == null) {
            try (LockGuard held = map.lock(j)) {
                if (peek(map, j) != null) return Resolution.NONE; // rewritten meanwhile: the caller looks again
                map.set(j, Entry.journal(Ledger.IDLE, 0));
                return new Resolution(false, false, 1);
            }
        }
        if (seen.kind() != Ledger.PENDING) return Resolution.NONE;
        try (LockGuard held = map.lockAll((int) seen.from(), (int) seen.to(), j)) {
            return resolveLocked(map, j, seen.tx());
        }
    }

    /**
     * Resolves journal {@code j}, whose lock and whose accounts' locks this thread holds; only if it still holds
     * transfer {@code tx} (any, when -1: the caller holds every lock).
     */
    static Resolution resolveLocked(SharedArray<Entry> map, int j, long tx) {
        Entry journal = peek(map, j);
        if (journal == null) {
            map.set(j, Entry.journal(Ledger.IDLE, 0));
            return new Resolution(false, false, 1);
        }
        if (journal.kind() != Ledger.PENDING || tx != -1 && journal.tx() != tx) return Resolution.NONE;
        long t = journal.tx(), amount = journal.amount();
        int a = (int) journal.from(), b = (int) journal.to();
        State sa = state(map, a, t, journal.fromOld(), journal.fromOldTx(), journal.fromOld() - amount);
        State sb = state(map, b, t, journal.toOld(), journal.toOldTx(), journal.toOld() + amount);
        if (sa == State.UNTOUCHED) {
            if (sb != State.UNTOUCHED) {
                throw new Violation("transfer " + t + " credited account " + b + " (" + sb + ") but never debited"
                        + " account " + a);
            }
            map.set(j, Entry.journal(Ledger.RESOLVED, t));
            return new Resolution(true, false, 0);
        }
        int torn = 0;
        if (sa == State.TORN) {
            map.set(a, Entry.account(journal.fromOld() - amount, t));
            torn++;
        }
        if (sb != State.WRITTEN) {
            map.set(b, Entry.account(journal.toOld() + amount, t));
            if (sb == State.TORN) torn++;
        }
        map.set(j, Entry.journal(Ledger.RESOLVED, t));
        return new Resolution(true, true, torn);
    }

    private static State state(SharedArray<Entry> map, int account, long tx, long oldBalance, long oldTx, long newBalance) {
        Entry e = peek(map, account);
        if (e == null) return State.TORN;
        if (e.kind() != Ledger.ACCOUNT) throw new Violation("entry " + account + " should be an account: " + e);
        if (e.tx() == tx) {
            if (e.balance() != newBalance) {
                throw new Violation("account " + account + " was written by transfer " + tx + " with balance " + e.balance()
                        + ", not " + newBalance);
            }
            return State.WRITTEN;
        }
        if (e.tx() == oldTx && e.balance() == oldBalance) return State.UNTOUCHED;
        throw new Violation("account " + account + " changed while transfer " + tx + " was in doubt: balance "
                + e.balance() + " by transfer " + e.tx() + ", the journal says " + oldBalance + " by transfer " + oldTx);
    }
}
