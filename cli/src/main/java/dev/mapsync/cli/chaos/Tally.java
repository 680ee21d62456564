package dev.mapsync.cli.chaos;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The figures of a soak so far (or of one round): what was done, what was killed, what was repaired, what failed. */
final class Tally {
    int rounds;
    /** How long a round's phases took (for a round's line). */
    String phases = "";
    final EnumMap<KillWay, Long> killsByWay = new EnumMap<>(KillWay.class);
    final EnumMap<Kind, Long> killsByKind = new EnumMap<>(Kind.class);
    final EnumMap<Kind, Long> operations = new EnumMap<>(Kind.class);
    long violations, crashes, hangs;
    long resolvedTransfers, tornRepaired, takeovers, lostRecords, skippedRecords, received, barrierBreaks,
            barrierResets, slowestBreakNanos, audits, reads, iterations, restarts;
    /** The longest a worker's operation took (waits for locks, room, a barrier included), and the worker's kind. */
    long longestOpNanos;
    Kind longestOpKind;

    Tally() {
        for (KillWay w : KillWay.values()) killsByWay.put(w, 0L);
        for (Kind k : Kind.values()) {
            killsByKind.put(k, 0L);
            operations.put(k, 0L);
        }
    }

    void kill(KillWay way, Kind kind) {
        killsByWay.merge(way, 1L, Long::sum);
        killsByKind.merge(kind, 1L, Long::sum);
    }

    long kills() {
        return killsByWay.values().stream().mapToLong(Long::longValue).sum();
    }

    long operations() {
        return operations.values().stream().mapToLong(Long::longValue).sum();
    }

    boolean ok() {
        return violations == 0 && crashes == 0 && hangs == 0;
    }

    /** Adds a round's figures (its counts; the soak-wide ones, such as lost records, are set by the caller). */
    void add(Tally round) {
        rounds += round.rounds;
        round.killsByWay.forEach((k, v) -> killsByWay.merge(k, v, Long::sum));
        round.killsByKind.forEach((k, v) -> killsByKind.merge(k, v, Long::sum));
        round.operations.forEach((k, v) -> operations.merge(k, v, Long::sum));
        violations += round.violations;
        crashes += round.crashes;
        hangs += round.hangs;
        resolvedTransfers += round.resolvedTransfers;
        tornRepaired += round.tornRepaired;
        takeovers += round.takeovers;
        barrierBreaks += round.barrierBreaks;
        barrierResets += round.barrierResets;
        slowestBreakNanos = Math.max(slowestBreakNanos, round.slowestBreakNanos);
        if (round.longestOpNanos > longestOpNanos) {
            longestOpNanos = round.longestOpNanos;
            longestOpKind = round.longestOpKind;
        }
        lostRecords += round.lostRecords;
        skippedRecords += round.skippedRecords;
        received += round.received;
        audits += round.audits;
        reads += round.reads;
        iterations += round.iterations;
        restarts += round.restarts;
    }

    /** The kills, with how: {@code 5 kills (2 at a random moment, 2 inside an operation, 1 mid-write)}. */
    String killText() {
        StringBuilder b = new StringBuilder(String.format("%,d kill%s (", kills(), kills() == 1 ? "" : "s"));
        String sep = "";
        for (KillWay w : KillWay.values()) {
            b.append(sep).append(String.format("%,d ", killsByWay.get(w))).append(w.text);
            sep = ", ";
        }
        return b.append(')').toString();
    }

    /** What the kills left and how it was taken care of, in one line. */
    String repairText() {
        return String.format("%,d in-doubt transfers resolved, %,d torn entries rebuilt, %,d lock takeovers, %,d queue"
                        + " records lost, %,d barrier breaks (slowest %d ms)", resolvedTransfers, tornRepaired, takeovers,
                lostRecords, barrierBreaks, slowestBreakNanos / 1_000_000);
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rounds", rounds);
        m.put("kills", kills());
        Map<String, Object> ways = new LinkedHashMap<>();
        killsByWay.forEach((k, v) -> ways.put(k.name().toLowerCase(Locale.ROOT), v));
        m.put("kills_by_way", ways);
        Map<String, Object> kinds = new LinkedHashMap<>();
        killsByKind.forEach((k, v) -> kinds.put(k.id, v));
        m.put("kills_by_kind", kinds);
        m.put("operations", operations());
        Map<String, Object> ops = new LinkedHashMap<>();
        operations.forEach((k, v) -> ops.put(k.id, v));
        m.put("operations_by_kind", ops);
        m.put("violations", violations);
        m.put("crashes", crashes);
        m.put("hangs", hangs);
        m.put("restarts", restarts);
        m.put("resolved_transfers", resolvedTransfers);
        m.put("torn_entries_rebuilt", tornRepaired);
        m.put("lock_takeovers", takeovers);
        m.put("queue_records_received", received);
        m.put("queue_records_lost", lostRecords);
        m.put("queue_numbers_skipped", skippedRecords);
        m.put("barrier_breaks", barrierBreaks);
        m.put("barrier_resets", barrierResets);
        m.put("slowest_barrier_break_ms", slowestBreakNanos / 1_000_000);
        m.put("longest_operation_ms", longestOpNanos / 1_000_000);
        m.put("ledger_audits", audits);
        m.put("unlocked_reads", reads);
        m.put("hash_iterations", iterations);
        return m;
    }
}
