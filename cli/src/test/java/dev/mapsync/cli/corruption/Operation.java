package dev.mapsync.cli.corruption;

import java.util.List;
import java.util.Set;

/**
 * An operation a case runs on the corrupted map: a mapsync command (its arguments, {@code {map}} standing for the
 * map) or a call of the Java API ({@link ApiOperations}).
 *
 * @param name      what reports call it ("cli get", "api lock")
 * @param args      the command's arguments; empty for an API call
 * @param timeoutMs the longest the operation may wait by its own terms (its --timeout, the timeout it is given);
 *                  anything beyond that and a little is a hang
 * @param codes     the exit codes it has on a sound map, or where the corrupted word does not concern it (3 is
 *                  always allowed; 5 only with the messages {@link Judge} lists)
 * @param watches   true for an operation that subscribes to changes: forged changes are written once it has
 *                  subscribed, and real ones made, until it ends
 * @param follows   true for an operation that reads a queue until it is sealed ({@code take --follow}): when its
 *                  timeout has passed the case seals the queue (a corrupted sealed word may have unsealed it), and
 *                  then it must end
 */
record Operation(String name, List<String> args, long timeoutMs, Set<Integer> codes, boolean watches, boolean follows) {
    boolean isCli() {
        return !args.isEmpty();
    }

    static Operation cli(long timeoutMs, Set<Integer> codes, String... args) {
        return new Operation("cli " + String.join(" ", args), List.of(args), timeoutMs, codes, false,
                List.of(args).contains("--follow"));
    }

    static Operation api(String name, long timeoutMs) {
        return new Operation("api " + name, List.of(), timeoutMs, Set.of(), name.startsWith("changes") || name.startsWith("watch"),
                false);
    }

    Operation watching() {
        return new Operation(name, args, timeoutMs, codes, true, follows);
    }

    /** The command's arguments with the map named. */
    String[] argsFor(String map) {
        return args.stream().map(a -> a.replace("{map}", map)).toList().toArray(new String[0]);
    }
}
