package com.example.ledger;

import com.example.ledger.model.Account;
import dev.mapsync.LockGuard;
import dev.mapsync.ArraySpec;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedMaps;

/**
 * Opens (or creates) a map of accounts shared with every process that opens the same name, moves money between two
 * of them under both their locks, and prints what it sees. Usage: {@code Ledger MAP_NAME}; the map is deleted at
 * the end.
 */
public final class Ledger {
    public static void main(String[] args) {
        ArraySpec<Account> spec = MapSpec.array(args[0], Account.class, 16);
        try (SharedArray<Account> accounts = SharedArray.openOrCreate(spec)) {
            accounts.set(1, new Account(1, 100, "ada"));
            accounts.set(2, new Account(2, 0, "bob"));
            try (LockGuard held = accounts.lockAll(1, 2)) {
                accounts.set(1, accounts.get(1).withBalance(accounts.get(1).balance() - 30));
                accounts.set(2, accounts.get(2).withBalance(accounts.get(2).balance() + 30));
            }
            accounts.update(2, a -> a.withBalance(a.balance() + 5));
            System.out.println(accounts.get(1));
            System.out.println(accounts.get(2));
            System.out.println("module: " + (Ledger.class.getModule().isNamed() ? Ledger.class.getModule().getName() : "unnamed"));
        } finally {
            SharedMaps.delete(spec.location());
        }
    }
}
