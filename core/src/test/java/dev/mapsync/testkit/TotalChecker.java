package dev.mapsync.testkit;

import dev.mapsync.Backend;
import dev.mapsync.LockGuard;
import dev.mapsync.SharedArray;
import dev.mapsync.testkit.Ledger.Account;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;

/**
 * A child that, until the stop file appears, sums every account under the lock of all of them (the total must
 * never change) and reads accounts without a lock (each must be consistent: never torn).
 * Prints {@code samples=S violations=V torn=T reads=R}. Arguments: dir name backend accounts total stopFile.
 */
public final class TotalChecker {
    public static void main(String[] args) {
        int accounts = Integer.parseInt(args[3]);
        long total = Long.parseLong(args[4]);
        Path stop = Path.of(args[5]);
        int[] all = IntStream.range(0, accounts).toArray();
        long samples = 0, violations = 0, torn = 0, reads = 0;
        try (SharedArray<Account> map = SharedArray.open(Ledger.spec(Path.of(args[0]), args[1], accounts)
                .backend(Backend.valueOf(args[2])))) {
            do {
                long sum = 0;
                try (LockGuard held = map.lockAll(all)) {
                    for (int i : all) sum += map.get(i).balance();
                }
                samples++;
                if (sum != total) violations++;
                for (int r = 0; r < 200; r++) {
                    Account a = map.get(r % accounts);
                    reads++;
                    if (!a.consistent()) torn++;
                }
            } while (!Files.exists(stop));
        }
        System.out.println("samples=" + samples + " violations=" + violations + " torn=" + torn + " reads=" + reads);
    }
}
