package dev.mapsync.cli.corruption;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a case must do on a corrupted map. A command: exit with a code in its documented set (its normal codes where
 * the word does not concern it, 3 for a corrupt map; 5 only for the failures the README gives it: a broken barrier,
 * a sealed queue, a busy consumer, a torn entry, a full map), print exactly one line on stderr when it fails (and
 * nothing more, log lines of the library included), name the map when it says it is corrupt, never report an
 * internal failure or an Error. An API call: return, or throw one of the documented exceptions, a corrupt map's
 * naming the map. Both: end within their own timeout and {@link #SLACK_MS}. A header whose flags are exactly 1 marks
 * the map a read replica (FORMAT.md §2): a write refused as a replica's (exit 4, {@code ReplicaWriteException}) is
 * then the documented answer.
 */
final class Judge {
    private Judge() {}

    /** How long past its own timeout an operation may take (a loaded machine, a JIT warming up). */
    static final long SLACK_MS = 3000;

    /** Messages of exit code 5 that the README documents. */
    private static final List<String> DOCUMENTED_FIVES = List.of(" is broken", " is sealed", "already has a consumer",
            " was being written when its writer", " is full", " parties already");

    /** The problems with a case's result; empty when it behaved. */
    static List<String> problems(Case c, Result r) {
        List<String> out = new ArrayList<>();
        Operation op = c.op();
        if (r.millis() > op.timeoutMs() + SLACK_MS) {
            out.add("took " + r.millis() + " ms, its own timeout is " + op.timeoutMs() + " ms");
        }
        String map = c.kind().bpf ? "" : "'c" + c.id() + "'";
        if (op.isCli()) cli(c, r, map, out);
        else api(c, r, map, out);
        return out;
    }

    private static void cli(Case c, Result r, String map, List<String> out) {
        List<String> all = new ArrayList<>(r.err().lines().toList());
        all.addAll(r.logged().lines().toList());
        // the library's warnings (a subscriber count set right) are one line each, besides what the command says
        List<String> lines = all.stream().filter(l -> !l.startsWith("mapsync: warning: ")).toList();
        String first = lines.isEmpty() ? "" : lines.getFirst();
        int code = r.code();
        Set<Integer> allowed = c.op().codes();
        boolean documentedFive = code == 5 && DOCUMENTED_FIVES.stream().anyMatch(first::contains);
        boolean refusedReplica = code == 4 && marksReplica(c) && first.contains(map + " is a read replica");
        if (first.contains("internal failure") || first.contains("fatal error")) out.add("reported: " + first);
        else if (code != 3 && !allowed.contains(code) && !documentedFive && !refusedReplica) {
            out.add("exit " + code + ": " + first);
        }
        // a check that came out false (6) or a wait that ran out (124) is an answer, which may go without a message
        boolean answer = code == 6 || code == 124;
        if (code != 0 && (lines.size() > 1 || lines.isEmpty() && !answer)) {
            out.add("exit " + code + " with " + lines.size() + " lines on stderr: " + lines);
        }
        if (code == 0 && lines.size() > 1) out.add("exit 0 with " + lines.size() + " lines on stderr: " + lines);
        for (String line : all) {
            if (!line.startsWith("mapsync: ")) out.add("a line on stderr does not start with 'mapsync: ': " + line);
        }
        if (code == 3 && !first.contains(map)) out.add("exit 3 without naming map " + map + ": " + first);
    }

    private static void api(Case c, Result r, String map, List<String> out) {
        String outcome = r.outcome();
        if (outcome.startsWith("ok")) return;
        String failure = outcome.startsWith("watch failed: ") ? outcome.substring("watch failed: ".length()) : outcome;
        String type = failure.substring(0, Math.max(0, failure.indexOf(':')));
        // forceUnlock says with an IllegalStateException that there was nothing to free, or that the owner lives
        boolean documented = ApiOperations.DOCUMENTED.contains(type)
                || type.equals("ReplicaWriteException") && marksReplica(c)
                || type.equals("IllegalStateException") && c.op().name().equals("api forceUnlock")
                && (failure.contains(" is not held") || failure.contains(" is alive"));
        if (!documented) out.add("threw " + failure);
        else if (!failure.contains(map)) out.add("threw without naming map " + map + ": " + failure);
    }

    /** Whether the case sets the header's flags to exactly the read-replica bit, a sound header of a replica. */
    private static boolean marksReplica(Case c) {
        Field f = c.field();
        return f.region().equals("header") && f.name().equals("flags") && (c.value().value() & 0xFFFF_FFFFL) == 1;
    }
}
