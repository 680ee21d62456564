package dev.mapsync.testkit;

import dev.mapsync.Backend;
import dev.mapsync.LockGuard;
import dev.mapsync.SharedArray;
import dev.mapsync.testkit.Ledger.Account;

import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A child that makes N transfers between random pairs of accounts, each under the lock of both accounts.
 * Arguments: dir name backend accounts transfers seed.
 */
public final class Transferer {
    public static void main(String[] args) {
        int accounts = Integer.parseInt(args[3]);
        long transfers = Long.parseLong(args[4]);
        SplittableRandom random = new SplittableRandom(Long.parseLong(args[5]));
        try (SharedArray<Account> map = SharedArray.open(Ledger.spec(Path.of(args[0]), args[1], accounts)
                .backend(Backend.valueOf(args[2])))) {
            for (long t = 0; t < transfers; t++) {
                int from = random.nextInt(accounts);
                int to = random.nextInt(accounts - 1);
                if (to >= from) to++;
                long amount = random.nextInt(1, 50);
                try (LockGuard held = map.lockAll(from, to)) {
                    map.set(from, map.get(from).plus(-amount));
                    map.set(to, map.get(to).plus(amount));
                }
            }
        }
        System.out.println("done");
    }
}
