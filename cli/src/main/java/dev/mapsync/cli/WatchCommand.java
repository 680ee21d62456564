package dev.mapsync.cli;

import dev.mapsync.MapLocation;
import dev.mapsync.Change;
import dev.mapsync.ChangeEvent;
import dev.mapsync.KeyChange;
import dev.mapsync.KeyChangeEvent;
import dev.mapsync.MapAccessDeniedException;
import dev.mapsync.MissedChanges;
import dev.mapsync.MissedKeyChanges;
import dev.mapsync.Schema;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedHashMap;
import dev.mapsync.SharedMap;
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
                "only with --poll, which compares copies of the values. On a hash map, every key's puts, removes and adds."},
        footer = {"", "Examples:", "  mapsync watch accounts --keys 0-15 --json", "  mapsync watch sessions --count 10      # a hash map"})
final class WatchCommand extends SchemaMapCommand implements Callable<Integer> {
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
    MapLocation existing() {
        return within(super.existing(), timeout);
    }

    // polling compares copies of the values; the change log lives in the shared control region
    @Override
    boolean controlRegionNeeded() {
        return poll == null;
    }

    @Override
    public Integer call() throws InterruptedException {
        if (count != null && count < 1) throw new IllegalArgumentException("--count must be at least 1, not " + count);
        if (poll != null && poll.toMillis() < 1) {
            throw new IllegalArgumentException("--poll must be at least 1 ms, not " + DurationText.of(poll));
        }
        SharedMap map;
        boolean readOnly = false;
        try {
            map = KeyedMaps.open(existing(), false);
        } catch (MapAccessDeniedException e) {
            map = KeyedMaps.open(existing(), true);
            readOnly = true;
        }
        if (map instanceof SharedHashMap<?, ?> hash) {
            try (hash) {
                return watchHash(hash, readOnly);
            }
        }
        @SuppressWarnings("unchecked") // a map opened as it is has values of Object
        SharedArray<Object> array = (SharedArray<Object>) map;
        boolean polling = poll != null;
        if (readOnly && !polling) {
            spec.commandLine().getErr().println("mapsync: " + ref() + " is read-only for you; watching by polling every 100ms");
            polling = true;
            poll = Duration.ofMillis(100);
        }
        try (SharedArray<Object> a = array) {
            int[] range = KeyRange.parse(keys, a.length());
            var schema = a.codec().schema();
            Printer<ChangeEvent> printer = new Printer<>(e -> json ? Json.of(jsonOf(e, a, schema)) : text(e, a, schema));
            try (Subscription sub = polling ? a.watchPolling(poll, range[0], range[1], printer::print)
                    : a.watch(range[0], range[1], printer::print)) {
                return printer.await(sub, a.name());
            }
        }
    }

    /** A hash map: every key's changes, through the change log (a hash map has no polling watch). */
    @SuppressWarnings("unchecked") // a map opened as it is has values (and keys) of Object
    private int watchHash(SharedHashMap<?, ?> map, boolean readOnly) throws InterruptedException {
        if (keys != null) throw new IllegalArgumentException("--keys takes an array's indexes; on a hash map, watch prints every key");
        if (poll != null) throw new IllegalArgumentException("--poll is for arrays; a hash map is watched through its change log");
        if (readOnly) {
            throw new MapAccessDeniedException("map '" + map.name() + "' is read-only for you, and watching a hash map"
                    + " registers a subscriber in it; ask for write access, or read it with dump");
        }
        SharedHashMap<Object, Object> h = (SharedHashMap<Object, Object>) map;
        var keySchema = h.keyCodec().schema();
        var schema = h.valueCodec().schema();
        Printer<KeyChangeEvent<Object>> printer = new Printer<>(e -> json ? Json.of(jsonOf(e, h, keySchema, schema))
                : text(e, h, keySchema, schema));
        try (Subscription sub = h.watch(printer::print)) {
            return printer.await(sub, h.name());
        }
    }

    /** Prints events as they come, up to {@code --count}, and waits for them or for {@code --timeout}. */
    private final class Printer<E> {
        private final java.util.function.Function<E, String> line;
        private final CountDownLatch done = new CountDownLatch(1);
        private final AtomicLong printed = new AtomicLong();

        Printer(java.util.function.Function<E, String> line) {
            this.line = line;
        }

        void print(E e) {
            // events keep coming until the subscription is closed: --count N prints N
            if (count != null && printed.get() >= count) return;
            out().println(line.apply(e));
            if (out().checkError() || (count != null && printed.incrementAndGet() >= count)) done.countDown();
        }

        int await(Subscription sub, String map) throws InterruptedException {
            long deadline = System.nanoTime() + (timeout == null ? 0 : timeout.toNanos());
            boolean timedOut = false;
            long slice = 200_000_000L;
            while (!done.await(timeout == null ? slice : Math.min(slice, Math.max(0, deadline - System.nanoTime())),
                    java.util.concurrent.TimeUnit.NANOSECONDS)) {
                if (!sub.isActive()) break;
                if (StandardOutput.readerGone()) break; // no change came, and the reader went away (head)
                if (timeout != null && System.nanoTime() - deadline >= 0) {
                    timedOut = true;
                    break;
                }
            }
            if (sub.failure().isPresent()) throw rethrown(sub.failure().get());
            if (timedOut && count != null && printed.get() < count) {
                err().println("mapsync: watched map '" + map + "' for " + DurationText.of(timeout) + ": "
                        + printed.get() + " of " + count + " changes came");
                return ExitCodes.TIMED_OUT;
            }
            return ExitCodes.OK;
        }
    }

    private static String text(KeyChangeEvent<Object> e, SharedHashMap<Object, Object> h, Schema keySchema, Schema schema) {
        return switch (e) {
            case KeyChange<Object> c -> "seq " + c.seq() + " key " + ValueText.format(keySchema, c.key()) + " pid " + c.pid()
                    + " " + c.kind().name().toLowerCase(java.util.Locale.ROOT) + valueText(h, c, schema);
            case MissedKeyChanges<Object> m -> "missed " + m.count() + " changes (seq " + m.firstSeq() + ".."
                    + (m.firstSeq() + m.count() - 1) + "): the change log overwrote them; resync from a snapshot (mapsync dump)";
        };
    }

    /** " value V" with the key's value now, or "" when the key is absent now. */
    private static String valueText(SharedHashMap<Object, Object> h, KeyChange<Object> c, Schema schema) {
        Object now = read(h, c.key(), ValueText.format(h.keyCodec().schema(), c.key()));
        return now == null ? "" : " value " + ValueText.format(schema, now);
    }

    private static Map<String, Object> jsonOf(KeyChangeEvent<Object> e, SharedHashMap<Object, Object> h, Schema keySchema,
                                               Schema schema) {
        Map<String, Object> m = new LinkedHashMap<>();
        switch (e) {
            case KeyChange<Object> c -> {
                m.put("key", ValueText.jsonValue(keySchema, c.key()));
                m.put("kind", c.kind().name().toLowerCase(java.util.Locale.ROOT));
                m.put("seq", c.seq());
                m.put("pid", c.pid());
                Object now = read(h, c.key(), ValueText.format(keySchema, c.key()));
                m.put("value", now == null ? null : ValueText.jsonValue(schema, now));
            }
            case MissedKeyChanges<Object> x -> {
                m.put("missed", x.count());
                m.put("first_seq", x.firstSeq());
            }
        }
        return m;
    }

    /** What ended the subscription, as the command's own failure: a corrupt map stays a corrupt map (exit 3). */
    private static RuntimeException rethrown(Throwable failure) {
        if (failure instanceof RuntimeException r) return r;
        if (failure instanceof Error e) throw e;
        return new CommandFailure(failure.getMessage() == null ? failure.toString() : failure.getMessage(), failure);
    }

    private static String text(ChangeEvent e, SharedArray<Object> a, Schema schema) {
        return switch (e) {
            case Change c -> "seq " + c.seq() + " key " + c.key() + " pid " + c.pid() + " value "
                    + ValueText.format(schema, read(a, c.key()));
            case MissedChanges m -> "missed " + m.count() + " changes (seq " + m.firstSeq() + ".."
                    + (m.firstSeq() + m.count() - 1) + "): the change log overwrote them; resync from a snapshot (mapsync dump)";
        };
    }

    private static Map<String, Object> jsonOf(ChangeEvent e, SharedArray<Object> a, Schema schema) {
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
