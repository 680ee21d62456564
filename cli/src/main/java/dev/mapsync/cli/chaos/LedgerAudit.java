package dev.mapsync.cli.chaos;

import dev.mapsync.LockGuard;
import dev.mapsync.SharedArray;
import dev.mapsync.cli.chaos.Ledger.Entry;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The coordinator's check of the ledger: under the locks of every account and journal (so no transfer is half
 * done by a live worker), it resolves what killed workers left in doubt, then the accounts must be whole and sum to
 * exactly what they started with.
 */
final class LedgerAudit {
    private LedgerAudit() {}

    /** What one audit found. */
    record Result(long total, int resolved, int tornRepaired, List<String> violations) {}

    static Result audit(SharedArray<Entry> map, int workers) {
        int[] all = IntStream.range(0, Ledger.ACCOUNTS + workers).toArray();
        List<String> violations = new ArrayList<>();
        int resolved = 0, torn = 0;
        long total = 0;
        try (LockGuard held = map.lockAll(all)) {
            for (int w = 0; w < workers; w++) {
                try {
                    Journals.Resolution r = Journals.resolveLocked(map, Ledger.journal(w), -1);
                    if (r.resolved()) resolved++;
                    torn += r.tornRepaired();
                } catch (Violation v) {
                    violations.add("ledger: " + v.getMessage());
                }
            }
            for (int a = 0; a < Ledger.ACCOUNTS; a++) {
                try {
                    Entry e = Journals.peek(map, a);
                    if (e == null) violations.add("ledger: account " + a + " is torn after every journal was resolved");
                    else if (e.kind() != Ledger.ACCOUNT) violations.add("ledger: entry " + a + " is not an account: " + e);
                    else total += e.balance();
                } catch (Violation v) {
                    violations.add("ledger: " + v.getMessage());
                }
            }
        }
        if (violations.isEmpty() && total != Ledger.TOTAL) {
            violations.add("ledger: the accounts hold " + total + " in all, not " + Ledger.TOTAL);
        }
        return new Result(total, resolved, torn, violations);
    }
}
