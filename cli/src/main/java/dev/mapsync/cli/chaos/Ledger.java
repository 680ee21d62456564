package dev.mapsync.cli.chaos;

import dev.mapsync.ArraySpec;
import dev.mapsync.MapSpec;

/**
 * The map of the locked transfers: {@value #ACCOUNTS} accounts, then one journal per transfer worker, all entries of
 * one record type so that a transfer takes the locks of its two accounts and of its journal as one
 * ({@code lockAll}).
 *
 * <p>Why journals: a transfer writes two accounts, and a worker killed between the two writes, or in the middle of
 * one (which leaves that entry torn, its bytes half old and half new), would otherwise leave money created or
 * destroyed, or lost in an unreadable entry. So before touching the accounts a worker writes, in its own journal
 * entry, everything needed to finish the transfer without it: both accounts' balances and transfer ids as it read
 * them, the amount, and the transfer's id (unique in the soak). {@link Journals} says how anyone finishes it.
 */
final class Ledger {
    private Ledger() {}

    static final int ACCOUNTS = 24;
    static final long START_BALANCE = 1_000;
    static final long TOTAL = ACCOUNTS * START_BALANCE;

    /** Kinds of entry: an account, or a journal that is idle, holds a transfer in flight, or one resolved. */
    static final long ACCOUNT = 1, IDLE = 2, PENDING = 3, RESOLVED = 4;

    /**
     * An account ({@code kind == ACCOUNT}: {@code balance}, and {@code tx} the last transfer that wrote it) or a
     * journal (the transfer {@code tx} moving {@code amount} from account {@code from} to {@code to}, whose balances
     * and last transfer ids were {@code fromOld}, {@code toOld}, {@code fromOldTx}, {@code toOldTx}). {@code check}
     * is a function of every other field, so a reader can tell a whole entry.
     */
    record Entry(long kind, long balance, long tx, long from, long to, long amount, long fromOld, long toOld,
                 long fromOldTx, long toOldTx, long check) {
        static Entry of(long kind, long balance, long tx, long from, long to, long amount, long fromOld, long toOld,
                        long fromOldTx, long toOldTx) {
            return new Entry(kind, balance, tx, from, to, amount, fromOld, toOld, fromOldTx, toOldTx,
                    checksum(kind, balance, tx, from, to, amount, fromOld, toOld, fromOldTx, toOldTx));
        }

        static Entry account(long balance, long tx) {
            return of(ACCOUNT, balance, tx, 0, 0, 0, 0, 0, 0, 0);
        }

        static Entry journal(long kind, long tx) {
            return of(kind, 0, tx, 0, 0, 0, 0, 0, 0, 0);
        }

        /** The journal of transfer {@code tx} of {@code amount} from account {@code from} (now {@code a}) to {@code to}. */
        static Entry pending(long tx, int from, int to, long amount, Entry a, Entry b) {
            return of(PENDING, 0, tx, from, to, amount, a.balance, b.balance, a.tx, b.tx);
        }

        boolean whole() {
            return check == checksum(kind, balance, tx, from, to, amount, fromOld, toOld, fromOldTx, toOldTx);
        }

        private static long checksum(long... fields) {
            long h = 0x5EEDL;
            for (long f : fields) h = Mix.of(h, f);
            return h;
        }
    }

    static ArraySpec<Entry> spec(Setup setup) {
        return MapSpec.array(setup.name("ledger"), Entry.class, ACCOUNTS + setup.processes())
                .backend(setup.backend()).dir(setup.dir());
    }

    /** The journal entry of transfer worker {@code worker} (0-based within its kind). */
    static int journal(int worker) {
        return ACCOUNTS + worker;
    }
}
