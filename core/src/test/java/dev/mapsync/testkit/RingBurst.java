package dev.mapsync.testkit;

import dev.mapsync.Backend;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A kernel ring filled in bursts, as a tracing program fills one: the program {@code ring_burst.bpf.c} writing into the
 * ring pinned at {@code ring} (one 16-byte record {seq, seq * seq} a run; it counts what it could not write), and its
 * producer {@code ring_burst_produce.c}, which runs it {@code burst} times back to back with {@code BPF_PROG_TEST_RUN}
 * and then pauses, spinning on the clock. Peers and mapsync's consumers report what they received in one format,
 * {@link Received}.
 */
public final class RingBurst implements AutoCloseable {
    private final BpfObject program;

    private RingBurst(BpfObject program) {
        this.program = program;
    }

    /** Loads the program writing into the kernel ring pinned at {@code ring} (skips the test where it cannot). */
    public static RingBurst load(Path workDir, Path ring) {
        CPrograms.testProgram("ring_burst_produce", Backend.BPF); // built (or skipped) before anything is loaded
        return new RingBurst(BpfObject.load(workDir, "ring_burst.bpf.c", Map.of("ring", ring)));
    }

    /** What one producer run did: the seq of its first record, the records written and those the ring had no room for. */
    public record Produced(long first, long attempted, long lost) {}

    /** Writes {@code records} records, {@code burst} back to back, then {@code pauseMicros} of nothing, and so on. */
    public Produced produce(int records, int burst, int pauseMicros) {
        Path producer = CPrograms.testProgram("ring_burst_produce", Backend.BPF);
        CPrograms.Result r = CPrograms.run(Map.of(), List.of(producer.toString(), program.pin("prog").toString(),
                program.pin("counts").toString(), Integer.toString(records), Integer.toString(burst),
                Integer.toString(pauseMicros)));
        if (r.exit() != 0) throw new AssertionError("ring_burst_produce failed: " + r.out() + r.err());
        Matcher m = Pattern.compile("first=(\\d+) attempted=(\\d+) lost=(\\d+)").matcher(r.out());
        if (!m.find()) throw new AssertionError("ring_burst_produce said: " + r.out());
        return new Produced(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)));
    }

    /**
     * What a consumer received: records, the first and last seq, records whose seq was not above the one before, and
     * records that are not {seq, seq * seq}.
     */
    public record Received(long received, long first, long last, long disorder, long bad) {
        private static final Pattern LINE =
                Pattern.compile("received=(\\d+) first=(\\d+) last=(\\d+) disorder=(\\d+) bad=(\\d+)");

        /** Parses the last line a consumer printed. */
        public static Received parse(String output) {
            Matcher m = LINE.matcher(output);
            Received found = null;
            while (m.find()) {
                found = new Received(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                        Long.parseLong(m.group(4)), Long.parseLong(m.group(5)));
            }
            if (found == null) throw new AssertionError("a consumer printed no tally: " + output);
            return found;
        }

        /** This tally as the consumers print it, the line {@link #parse} reads. */
        public String line() {
            return "received=" + received + " first=" + first + " last=" + last + " disorder=" + disorder + " bad=" + bad;
        }
    }

    /** Counts records {seq, seq * seq} as they are received, checking their order and contents. Not thread-safe. */
    public static final class Tally {
        private long received, disorder, bad, first, last;

        /** One record: its two words; a seq of -1 for a record that is not 16 bytes. */
        public void add(long seq, long square) {
            if (seq < 0 || square != seq * seq) bad++;
            if (received == 0) first = seq;
            else if (seq <= last) disorder++;
            last = seq;
            received++;
        }

        /** {@return the records counted so far} */
        public long count() {
            return received;
        }

        /** {@return what was counted} */
        public Received received() {
            return new Received(received, first, last, disorder, bad);
        }
    }

    @Override
    public void close() {
        program.close();
    }
}
