package dev.mapsync.cli.demo;

import dev.mapsync.ArraySpec;
import dev.mapsync.Backend;
import dev.mapsync.Chars;
import dev.mapsync.LockGuard;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedMaps;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The locked phase: worker processes move money between record-typed accounts, each transfer under the locks of
 * both accounts (taken in ascending order, so no two workers deadlock), while checker processes sum every account
 * under the locks of all of them (the total must never change) and read accounts without locks (a record must
 * never be seen half-written).
 */
public final class LockPhase {
    private LockPhase() {}

    static final int ACCOUNTS = 32;
    static final long START_BALANCE = 1_000;
    static final int CHECKERS = 2;

    /** {@code struct { int64_t id; int64_t balance; int64_t check; char owner[8]; }}, check always ~balance. */
    public record Account(long id, long balance, long check, @Chars(8) String owner) {
        static Account of(long id, long balance) {
            return new Account(id, balance, ~balance, "acct" + id);
        }

        boolean consistent() {
            return check == ~balance;
        }
    }

    static ArraySpec<Account> spec(String name, Path dir, Backend backend) {
        ArraySpec<Account> spec = MapSpec.array(name + "-accounts", Account.class, ACCOUNTS).backend(backend);
        return dir == null ? spec : spec.dir(dir);
    }

    /** Transfer worker: arguments name dir backend processes worker transfers. */
    public static void transfer(String name, Path dir, Backend backend, int processes, int worker, long transfers)
            throws InterruptedException {
        SplittableRandom random = new SplittableRandom(worker * 7919L + 1);
        try (SharedArray<Account> map = SharedArray.open(spec(name, dir, backend));
             StartGate gate = StartGate.open(name + "-lock", dir, processes + CHECKERS);
             PhaseEnd end = PhaseEnd.join(name + "-lock", dir, processes + CHECKERS)) {
            gate.arriveAndWait();
            for (long t = 0; t < transfers; t++) {
                int from = random.nextInt(ACCOUNTS);
                int to = random.nextInt(ACCOUNTS - 1);
                if (to >= from) to++;
                long amount = random.nextInt(1, 100);
                try (LockGuard held = map.lockAll(from, to)) {
                    Account a = map.get(from);
                    Account b = map.get(to);
                    map.set(from, Account.of(a.id(), a.balance() - amount));
                    map.set(to, Account.of(b.id(), b.balance() + amount));
                }
            }
            gate.finished(worker);
            end.arrive();
        }
    }

    /** Checker: sums under all locks and reads without locks until told to stop; prints its counts. */
    public static void check(String name, Path dir, Backend backend, int processes) throws InterruptedException {
        int[] all = IntStream.range(0, ACCOUNTS).toArray();
        long total = ACCOUNTS * START_BALANCE;
        long samples = 0, violations = 0, reads = 0, torn = 0;
        try (SharedArray<Account> map = SharedArray.open(spec(name, dir, backend));
             StartGate gate = StartGate.open(name + "-lock", dir, processes + CHECKERS);
             PhaseEnd end = PhaseEnd.join(name + "-lock", dir, processes + CHECKERS)) {
            gate.arriveAndWait();
            while (!gate.stopped()) {
                long sum = 0;
                try (LockGuard held = map.lockAll(all)) {
                    for (int i : all) sum += map.get(i).balance();
                }
                samples++;
                if (sum != total) violations++;
                for (int i : all) {
                    reads++;
                    if (!map.get(i).consistent()) torn++;
                }
            }
            System.out.println(samples + " " + violations + " " + reads + " " + torn);
            System.out.flush();
            end.arrive();
        }
    }

    /** Coordinator side. */
    public static PhaseResult run(String name, Path dir, Backend backend, int processes, long transfers, PrintWriter err)
            throws InterruptedException {
        ArraySpec<Account> spec = spec(name, dir, backend);
        try (SharedArray<Account> map = SharedArray.create(spec);
             Workers workers = new Workers(Workers.PHASE_LIMIT);
             PhaseEnd end = PhaseEnd.create(name + "-lock", dir, processes + CHECKERS)) {
            for (int i = 0; i < ACCOUNTS; i++) map.set(i, Account.of(i, START_BALANCE));
            StartGate gate = StartGate.create(name + "-lock", dir, processes + CHECKERS);
            try {
                String d = dir == null ? "-" : dir.toString();
                for (int w = 0; w < processes; w++) {
                    workers.start("transfers", name, d, backend.name(), Integer.toString(processes), Integer.toString(w),
                            Long.toString(transfers));
                }
                for (int c = 0; c < CHECKERS; c++) {
                    workers.start("checker", name, d, backend.name(), Integer.toString(processes));
                }
                long start = gate.awaitReadyAndGo(workers);
                new Progress(err).follow("transfer workers finished", () -> gate.finishedCount(processes), processes,
                        workers::running);
                long elapsed = Math.max(1, gate.lastFinish(processes) - start);
                gate.stop();
                PhaseEnd.Outcome met = end.await(workers.left());
                List<String> failures = workers.awaitAll();
                long samples = 0, violations = 0, reads = 0, torn = 0;
                for (int c = 0; c < CHECKERS; c++) {
                    String[] f = workers.lastLine(processes + c).split(" ");
                    if (f.length != 4) continue;
                    samples += Long.parseLong(f[0]);
                    violations += Long.parseLong(f[1]);
                    reads += Long.parseLong(f[2]);
                    torn += Long.parseLong(f[3]);
                }
                long sum = 0;
                boolean consistent = true;
                for (int i = 0; i < ACCOUNTS; i++) {
                    Account a = map.get(i);
                    sum += a.balance();
                    consistent &= a.consistent();
                }
                long expected = ACCOUNTS * START_BALANCE;
                if (sum != expected || !consistent) violations++;
                String storage = backend == Backend.BPF ? String.format("  storage        records in kernel map id %s (%s),"
                        + " lock and sequence words in the sidecar %s", map.info().details().get("kernel map id"),
                        map.info().details().get("pin"), map.info().file()) : null;
                return report(processes, transfers, elapsed, samples, violations, reads, torn, sum, expected, storage,
                        met, failures);
            } finally {
                gate.delete();
            }
        } finally {
            SharedMaps.delete(MapSpec.existing(spec.name()).dir(spec.dir()).backend(backend));
        }
    }

    private static PhaseResult report(int processes, long transfers, long elapsedNanos, long samples, long violations,
                                      long reads, long torn, long sum, long expected, String storage, PhaseEnd.Outcome met,
                                      List<String> failures) {
        long total = processes * transfers;
        double seconds = elapsedNanos / 1e9;
        boolean ok = violations == 0 && torn == 0 && met.ok() && failures.isEmpty() && samples > 0;
        List<String> report = new ArrayList<>();
        report.add(String.format("locked transfers: %d worker processes x %,d transfers between %d record accounts,"
                + " each under the locks of both", processes, transfers, ACCOUNTS));
        if (storage != null) report.add(storage);
        report.add(String.format("  transfers      %,d in %.3f s = %,d transfers/s", total, seconds, Math.round(total / seconds)));
        report.add(String.format("  checkers       %d processes: %,d totals summed under all %d locks, %,d unlocked reads",
                CHECKERS, samples, ACCOUNTS, reads));
        report.add(String.format("  total          %,d at the end, expected %,d", sum, expected));
        report.add(String.format("  violations     %d (totals that differed)", violations));
        report.add(String.format("  torn reads     %d (records seen half-written)", torn));
        report.add(met.line());
        failures.forEach(f -> report.add("  FAILED: " + f));
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("processes", processes);
        figures.put("transfers", total);
        figures.put("transfers_per_sec", Math.round(total / seconds));
        figures.put("total_samples", samples);
        figures.put("violations", violations);
        figures.put("torn_reads", torn);
        return new PhaseResult("locks", ok, figures, report);
    }
}
