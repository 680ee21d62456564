package dev.mapsync.cli;

import dev.mapsync.Change;
import dev.mapsync.ChangeEvent;
import dev.mapsync.MapAccessDeniedException;
import dev.mapsync.MissedChanges;
import dev.mapsync.SharedArray;
import dev.mapsync.Subscription;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

@Command(name = "watch", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Print each change of a map as it happens, until interrupted (or --count events).",
                "Says when it missed changes (it fell further behind than the change log holds).",
                "Changes made behind the API's back (a C program's own mapping, bpftool, a BPF program) are seen",
                "only with --poll, which compares copies of the values."})
final class WatchCommand extends MapCommand implements Callable<Integer> {
    @Option(names = "--keys", paramLabel = "A-B", description = "Only entries A to B (inclusive), or one entry A.")
    String keys;

    @Option(names = "--json", description = "JSON lines: {\"key\":K,\"seq\":S,\"pid\":P,\"value\":V} or {\"missed\":N,\"first_seq\":S}.")
    boolean json;

    @Option(names = "--poll", paramLabel = "INTERVAL", converter = DurationConverter.class,
            description = "Watch by comparing the values every INTERVAL (sees writes the change log cannot).")
    Duration poll;

    @Option(names = "--count", paramLabel = "N", description = "Stop after N events.")
    Long count;

    @Option(names = "--timeout", paramLabel = "T", converter = DurationConverter.class,
            description = "Stop after T; exit 124 if fewer than --count events came by then (default: watch until"
                    + " interrupted, or --count events).")
    Duration timeout;

    @Override
    public Integer call() throws InterruptedException {
        if (count != null && count < 1) throw new IllegalArgumentException("--count must be at least 1, not " + count);
        if (poll != null && poll.toMillis() < 1) {
            throw new IllegalArgumentException("--poll must be at least 1 ms, not " + DurationText.of(poll));
        }
        SharedArray<Object> array;
        boolean polling = poll != null;
        try {
            array = open(false);
        } catch (MapAccessDeniedException e) {
            array = open(true);
            if (!polling) {
                spec.commandLine().getErr().println("mapsync: " + ref() + " is read-only for you; watching by polling every 100ms");
                polling = true;
                poll = Duration.ofMillis(100);
            }
        }
        try (SharedArray<Object> a = array) {
            int[] range = KeyRange.parse(keys, a.length());
            CountDownLatch done = new CountDownLatch(1);
            AtomicLong printed = new AtomicLong();
            var schema = a.codec().schema();
            java.util.function.Consumer<ChangeEvent> print = e -> {
                // events keep coming until the subscription is closed: --count N prints N
                if (count != null && printed.get() >= count) return;
                out().println(json ? Json.of(jsonOf(e, a, schema)) : text(e, a, schema));
                if (out().checkError() || (count != null && printed.incrementAndGet() >= count)) done.countDown();
            };
            try (Subscription sub = polling ? a.watchPolling(poll, range[0], range[1], print)
                    : a.watch(range[0], range[1], print)) {
                long deadline = System.nanoTime() + (timeout == null ? 0 : timeout.toNanos());
                boolean timedOut = false;
                long slice = 200_000_000L;
                while (!done.await(timeout == null ? slice : Math.min(slice, Math.max(0, deadline - System.nanoTime())),
                        java.util.concurrent.TimeUnit.NANOSECONDS)) {
                    if (!sub.isActive()) break;
                    if (timeout != null && System.nanoTime() - deadline >= 0) {
                        timedOut = true;
                        break;
                    }
                }
                if (sub.failure().isPresent()) throw rethrown(sub.failure().get());
                if (timedOut && count != null && printed.get() < count) {
                    err().println("mapsync: watched map '" + a.name() + "' for " + DurationText.of(timeout) + ": "
                            + printed.get() + " of " + count + " changes came");
                    return ExitCodes.TIMED_OUT;
                }
            }
        }
        return ExitCodes.OK;
    }

    /** What ended the subscription, as the command's own failure: a corrupt map stays a corrupt map (exit 3). */
    private static RuntimeException rethrown(Throwable failure) {
        if (failure instanceof RuntimeException r) return r;
        if (failure instanceof Error e) throw e;
        return new CommandFailure(failure.getMessage() == null ? failure.toString() : failure.getMessage(), failure);
    }

    private static String text(ChangeEvent e, SharedArray<Object> a, dev.mapsync.Schema schema) {
        return switch (e) {
            case Change c -> "seq " + c.seq() + " key " + c.key() + " pid " + c.pid() + " value "
                    + ValueText.format(schema, read(a, c.key()));
            case MissedChanges m -> "missed " + m.count() + " changes (seq " + m.firstSeq() + ".."
                    + (m.firstSeq() + m.count() - 1) + "): the change log overwrote them; resync from a snapshot (mapsync dump)";
        };
    }

    private static Map<String, Object> jsonOf(ChangeEvent e, SharedArray<Object> a, dev.mapsync.Schema schema) {
        Map<String, Object> m = new LinkedHashMap<>();
        switch (e) {
            case Change c -> {
                m.put("key", c.key());
                m.put("seq", c.seq());
                m.put("pid", c.pid());
                m.put("value", ValueText.jsonValue(schema, read(a, c.key())));
            }
            case MissedChanges x -> {
                m.put("missed", x.count());
                m.put("first_seq", x.firstSeq());
            }
        }
        return m;
    }
}
