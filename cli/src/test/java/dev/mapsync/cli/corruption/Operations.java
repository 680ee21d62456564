package dev.mapsync.cli.corruption;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Every command and Java API call that reads or writes each kind of map, with short timeouts of their own. On the
 * templates, each ends at once with its normal outcome: the entries they name exist, {@code wait} waits for the
 * value the entry has, {@code barrier await} is the arrival that trips the barrier, the sealed queue drains.
 */
final class Operations {
    private Operations() {}

    static final long T = 300; // ms: the --timeout the commands that wait get
    private static final String TIMEOUT = "--timeout=" + T + "ms";
    private static final Set<Integer> OK = Set.of(0), OK_OR_TIMEOUT = Set.of(0, 124);
    /** top reads the map, then exits 1 without a terminal to draw on (the suite's commands have none). */
    private static final Set<Integer> NO_TERMINAL = Set.of(1);

    static List<Operation> of(MapKind kind) {
        List<Operation> ops = new ArrayList<>();
        switch (kind) {
            case RECORDS, BPF_RECORDS -> {
                ops.add(Operation.cli(0, OK, "get", "{map}", "3"));
                ops.add(Operation.cli(0, OK, "set", "{map}", "3", "balance=7"));
                ops.add(Operation.cli(0, OK, "add", "{map}", "3", "1", "--field", "balance"));
                ops.add(Operation.cli(0, Set.of(0, 6), "cas", "{map}", "3", "108", "109", "--field", "balance"));
                ops.add(Operation.cli(T, OK_OR_TIMEOUT, "wait", "{map}", "3", "--until", "id=3", TIMEOUT));
                arrayCommon(ops);
                ops.addAll(ApiOperations.ARRAY);
            }
            case LONGS -> {
                ops.add(Operation.cli(0, OK, "get", "{map}", "3"));
                ops.add(Operation.cli(0, OK, "set", "{map}", "3", "7"));
                ops.add(Operation.cli(0, OK, "add", "{map}", "3", "1"));
                ops.add(Operation.cli(0, Set.of(0, 6), "cas", "{map}", "3", "34", "35"));
                ops.add(Operation.cli(T, OK_OR_TIMEOUT, "wait", "{map}", "3", "--until", "34", TIMEOUT));
                arrayCommon(ops);
                ops.addAll(ApiOperations.ARRAY);
            }
            case HASH -> {
                ops.add(Operation.cli(0, Set.of(0, 2), "get", "{map}", "k3"));
                ops.add(Operation.cli(0, OK, "set", "{map}", "k3", "balance=7"));
                ops.add(Operation.cli(0, OK, "set", "{map}", "k12", "id=12"));
                ops.add(Operation.cli(0, Set.of(0, 2), "rm-key", "{map}", "k4"));
                ops.add(Operation.cli(T, OK_OR_TIMEOUT, "lock", "{map}", "k3", TIMEOUT, "--", "true"));
                ops.add(Operation.cli(T, OK, "add", "{map}", "k3", "1", "--field", "balance"));
                ops.add(Operation.cli(T, Set.of(0, 2, 6), "cas", "{map}", "k3", "7", "8", "--field", "balance"));
                ops.add(Operation.cli(0, OK, "locks", "{map}"));
                ops.add(Operation.cli(1000, OK_OR_TIMEOUT, "watch", "{map}", "--count", "1", "--timeout=1s").watching());
                ops.add(Operation.cli(T, OK_OR_TIMEOUT, "wait", "{map}", "k3", "--until", "balance=7", TIMEOUT));
                ops.add(Operation.cli(0, NO_TERMINAL, "top", "{map}", "--interval", "10ms"));
                ops.add(Operation.cli(0, Set.of(0, 6), "unlock", "{map}", "k3", "--force"));
                ops.add(Operation.cli(0, OK, "dump", "{map}"));
                ops.add(Operation.cli(0, OK, "info", "{map}"));
                ops.add(Operation.cli(0, OK, "list"));
                ops.add(Operation.cli(0, OK, "rm", "{map}"));
                ops.addAll(ApiOperations.HASH);
            }
            case QUEUE, RING, SEALED -> {
                boolean sealed = kind == MapKind.SEALED;
                String value = kind == MapKind.RING ? "hello" : "7";
                ops.add(Operation.cli(T, OK_OR_TIMEOUT, "queue", "take", "{map}", "--count", "3", TIMEOUT));
                ops.add(Operation.cli(T, OK_OR_TIMEOUT, "queue", "take", "{map}", "--count", "4", TIMEOUT));
                ops.add(Operation.cli(T, sealed ? Set.of(0, 5) : OK_OR_TIMEOUT, "queue", "put", "{map}", value, TIMEOUT));
                ops.add(Operation.cli(0, OK, "queue", "stat", "{map}"));
                ops.add(Operation.cli(0, OK, "queue", "seal", "{map}"));
                ops.add(Operation.cli(0, OK, "info", "{map}"));
                ops.add(Operation.cli(0, OK, "list"));
                ops.add(Operation.cli(0, OK, "rm", "{map}"));
                if (sealed) ops.add(Operation.cli(T, OK, "queue", "take", "{map}", "--follow"));
                ops.addAll(ApiOperations.RING);
            }
            case COUNTER -> {
                // counter 0: a count forged smaller but consistent with the file (1 counter has the 4 counters' block
                // stride) still has it
                ops.add(Operation.cli(0, OK, "get", "{map}", "0"));
                ops.add(Operation.cli(0, OK, "get", "{map}", "0", "--cells"));
                ops.add(Operation.cli(0, OK, "add", "{map}", "0", "1"));
                ops.add(Operation.cli(0, OK, "dump", "{map}"));
                ops.add(Operation.cli(0, OK, "info", "{map}"));
                ops.add(Operation.cli(0, OK, "list"));
                ops.add(Operation.cli(0, OK, "rm", "{map}"));
                ops.addAll(ApiOperations.COUNTER);
            }
            case BARRIER -> {
                ops.add(Operation.cli(T, Set.of(0, 5, 124), "barrier", "await", "{map}", TIMEOUT));
                ops.add(Operation.cli(0, OK, "barrier", "stat", "{map}"));
                ops.add(Operation.cli(0, OK, "barrier", "reset", "{map}"));
                ops.add(Operation.cli(0, OK, "info", "{map}"));
                ops.add(Operation.cli(0, OK, "list"));
                ops.add(Operation.cli(0, OK, "rm", "{map}"));
                ops.addAll(ApiOperations.BARRIER);
            }
        }
        // a bpf map's kernel map cannot be copied: its cases share it, so none may remove it
        if (kind.bpf) ops.removeIf(o -> o.args().equals(List.of("rm", "{map}")));
        return ops;
    }

    /**
     * The operations a header field is tried under: the header is checked when a map is opened, whatever is done with
     * it next, so one operation per way of opening it (read-write, read-only, described, listed, removed) says it all.
     */
    static List<Operation> forHeader(MapKind kind) {
        List<String> opening = List.of("cli get {map} 3", "cli set {map} 3 7", "cli get {map} k3", "cli set {map} k3 balance=7",
                "cli set {map} 3 balance=7", "cli info {map}", "cli list", "cli rm {map}",
                "cli queue take {map} --count 3 " + TIMEOUT, "cli queue put {map} 7 " + TIMEOUT,
                "cli queue put {map} hello " + TIMEOUT, "cli queue stat {map}", "cli barrier await {map} " + TIMEOUT,
                "cli barrier stat {map}", "api get", "api get read-only", "api set", "api put", "api offer", "api poll",
                "api status", "api await", "api add", "api sum read-only", "cli get {map} 0");
        return of(kind).stream().filter(o -> opening.contains(o.name())).toList();
    }

    /** The operations every other field is tried under: all but listing and removing, which only read the header. */
    static List<Operation> forBody(MapKind kind) {
        return of(kind).stream().filter(o -> !o.name().equals("cli list") && !o.name().equals("cli rm {map}")).toList();
    }

    private static void arrayCommon(List<Operation> ops) {
        ops.add(Operation.cli(0, OK, "dump", "{map}"));
        ops.add(Operation.cli(0, OK, "info", "{map}"));
        ops.add(Operation.cli(0, OK, "locks", "{map}"));
        ops.add(Operation.cli(0, Set.of(0, 6), "unlock", "{map}", "5", "--force"));
        ops.add(Operation.cli(1000, OK_OR_TIMEOUT, "watch", "{map}", "--count", "1", "--timeout=1s").watching());
        ops.add(Operation.cli(T, OK_OR_TIMEOUT, "lock", "{map}", "3", TIMEOUT, "--", "true"));
        ops.add(Operation.cli(0, NO_TERMINAL, "top", "{map}", "--interval", "10ms"));
        ops.add(Operation.cli(0, OK, "list"));
        ops.add(Operation.cli(0, OK, "rm", "{map}"));
    }
}
