package dev.mapsync.cli;

import dev.mapsync.MapLocation;
import dev.mapsync.Backend;
import dev.mapsync.CorruptMapException;
import dev.mapsync.RingConsumer;
import dev.mapsync.RingRecord;
import dev.mapsync.SharedRing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "take", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Take records from a queue as its one consumer, in order, and print one per line: a value as",
                "'mapsync get' prints it, or a record's UTF-8 text (hex:... for binary records, or always with --hex).",
                "Exits 124 when fewer than --count records came within --timeout. With --follow it prints records as",
                "they come until the queue is sealed and drained (or it is interrupted), or, if given, until --count",
                "records came or --timeout is over (exit 124 if fewer than --count, or none, came). Records whose",
                "producer died before committing them are skipped; discarded ones too. A kernel ring's records",
                "(bpf:) are moved into memory as they come and printed from there, so that a slow output never makes",
                "the kernel drop a burst; those taken and not yet printed are printed on an interrupt too. A record is",
                "consumed once its line is written: when the output's reader goes away (as 'head' does), the command",
                "stops quietly (exit 0), and records written into the pipe before are consumed; an output that takes no",
                "more bytes (a full disk) fails it (exit 5). Either way an shm queue keeps the record that could not be",
                "written (the next take prints it again, whole, if part of its line was written); a kernel ring's",
                "records taken into memory and not printed are gone."},
        footer = {"", "Examples:", "  mapsync queue take jobs", "  mapsync queue take events --count 10 --timeout 1s --json",
                "  mapsync queue take bpf:trace --follow --hex"})
final class QueueTakeCommand extends QueueSubcommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "QUEUE")
    String queue;

    @Option(names = "--count", defaultValue = "1", paramLabel = "N", description = "Records to take (default ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--timeout", defaultValue = "5s", paramLabel = "T", converter = DurationConverter.class,
            description = "How long to wait for them, in all (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    MapLocation existing() {
        return MapCommand.within(super.existing(), timeout);
    }

    @Option(names = {"-f", "--follow"}, description = "Stream records until the queue is sealed and drained, or"
            + " --count records (if given) came, or --timeout (if given) is over.")
    boolean follow;

    @Option(names = "--json", description = "One JSON object a line: position, and value, or length and text (or hex).")
    boolean json;

    @Option(names = "--hex", description = "Print every record as hex, a queue's values too (as their bytes).")
    boolean hex;

    @Override
    public String mapArgument() {
        return queue;
    }

    @Override
    public Integer call() {
        if (count < 1) throw new IllegalArgumentException("--count must be at least 1, not " + count);
        try (SharedRing ring = SharedRing.open(existing())) {
            RecordLines lines = new RecordLines(queue, ring.valueSchema().orElse(null), json, hex);
            boolean kernel = ring.backend() == Backend.BPF;
            if (kernel) lines.warmUp(); // before the consumer role: a BPF program may start once it is taken
            return take(ring, lines, kernel);
        }
    }

    private int take(SharedRing ring, RecordLines lines, boolean kernel) {
        var parsed = spec.commandLine().getParseResult();
        boolean counted = !follow || parsed.hasMatchedOption("--count");
        boolean timed = !follow || parsed.hasMatchedOption("--timeout");
        try (RingConsumer consumer = ring.consumer()) {
            // a follow without --timeout waits as long as a process lives (nanoTime differences stay positive)
            long deadline = System.nanoTime() + (timed ? timeout.toNanos() : Long.MAX_VALUE / 4);
            long limit = counted ? count : Long.MAX_VALUE;
            long taken = kernel
                    ? new KernelRingTake(consumer, limit, deadline, follow).run(lines, out())
                    : takeInTurn(consumer, lines, limit, deadline);
            if (taken < 0) return ExitCodes.OK; // the output failed: Main.run says why, unless its reader went away
            // a follow ends quietly when the queue is sealed and drained; at its --timeout, as a take does
            if (taken < count && !(follow && (!timed || consumer.isDrained()))) {
                String within = " within " + DurationText.of(timeout);
                String why = consumer.isDrained() ? "it is sealed and drained" : "no more came" + within;
                spec.commandLine().getErr().println("mapsync: " + (counted
                        ? "took " + taken + " of " + count + " records from queue '" + ring.name() + "': " + why
                        : "took no record from queue '" + ring.name() + "': none came" + within));
                return ExitCodes.TIMED_OUT;
            }
            return ExitCodes.OK;
        }
    }

    /**
     * Takes the records of an shm ring one at a time, each released once it is printed and flushed: its producers
     * wait for room, so nothing is gained by taking records faster than they are printed, and a record is never
     * taken out of the ring before it was written out.
     *
     * @return how many were printed, or -1 if a write failed or (following) the output's reader went away
     */
    private long takeInTurn(RingConsumer consumer, RecordLines lines, long limit, long deadline) {
        long taken = 0;
        while (taken < limit) {
            long left = deadline - System.nanoTime();
            if (follow && left <= 0) break; // records still coming or not: a take takes what is there past it
            // a follow wakes each second to see whether its reader is still there
            if (follow) left = Math.min(left, Duration.ofSeconds(1).toNanos());
            // past the deadline, what is there is still taken: only the wait for more is over
            RingRecord r = consumer.next(Duration.ofNanos(Math.max(0, left)));
            if (r == null) {
                if (consumer.isDrained() || deadline - System.nanoTime() <= 0) break;
                // a reader that went away (head) while none came ends the follow and frees the consumer role
                if (StandardOutput.readerGone()) return -1;
                continue;
            }
            boolean written = false;
            try {
                out().println(lineOf(r, lines));
                out().flush();
                written = !out().checkError();
            } finally {
                // a record not written out (a value that does not decode, an output that failed) stays in the queue
                // for the next taker
                if (written) r.release();
                else r.unread();
            }
            if (!written) return -1; // Main says why, unless the output's reader went away (e.g. head)
            taken++;
        }
        return taken;
    }

    /** The record's line; a record that is not a value of the queue stays in it, and the message says how to take it. */
    private static String lineOf(RingRecord r, RecordLines lines) {
        try {
            return lines.line(r.position(), r.payload());
        } catch (CorruptMapException e) {
            throw new CorruptMapException(e.getMessage() + "; it stays in the queue ('mapsync queue take --hex' takes it"
                    + " as bytes)", e);
        }
    }
}
