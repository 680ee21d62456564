package dev.mapsync.testkit;

import dev.mapsync.ArraySpec;
import dev.mapsync.Chars;
import dev.mapsync.MapSpec;

import java.nio.file.Path;

/** The accounts that transfer tests move money between. */
public final class Ledger {
    private Ledger() {}

    /**
     * {@code check} is always {@code ~balance}: a record whose fields disagree was read half-written.
     * {@code struct { int64_t id; int64_t balance; int64_t check; char owner[8]; }}
     */
    public record Account(long id, long balance, long check, @Chars(8) String owner) {
        public static Account of(long id, long balance) {
            return new Account(id, balance, ~balance, "acct" + id);
        }

        public boolean consistent() {
            return check == ~balance;
        }

        public Account plus(long amount) {
            return of(id, balance + amount);
        }
    }

    public static final long START_BALANCE = 1_000;

    public static ArraySpec<Account> spec(Path dir, String name, int accounts) {
        return MapSpec.array(name, Account.class, accounts).dir(dir);
    }
}
