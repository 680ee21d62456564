package dev.mapsync.cli;

import dev.mapsync.internal.ring.RingLayout;
import dev.mapsync.launch.Jvm;
import dev.mapsync.internal.store.Header;
import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.Peer;
import dev.mapsync.testkit.TestDirs;
import dev.mapsync.internal.store.Bpffs;
import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.internal.asm.RingEmitter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code mapsync queue} and {@code mapsync barrier}: output, JSON and exit codes. */
class QueueCliTest {
    @RegisterExtension
    final KernelAssumptions.Pins pins = new KernelAssumptions.Pins();
    private Path dir;

    @BeforeEach
    void setUp() throws IOException {
        dir = TestDirs.create();
    }

    @AfterEach
    void tearDown() throws IOException {
        TestDirs.delete(dir);
    }

    /** Runs {@code mapsync GROUP --dir=DIR REST...}. */
    private Cli ms(String... args) {
        return Cli.in(dir, args);
    }

    private static void ok(Cli c) {
        c.ok();
    }

    @Test
    void aConsumerPositionPastTheProducersIsACorruptQueueAtOnce() throws Exception {
        ok(ms("queue", "create", "q", "--capacity", "4K", "--value", "id:i64"));
        ok(ms("queue", "put", "q", "id=1", "id=2", "id=3"));
        ok(ms("queue", "take", "q"));
        ok(ms("queue", "seal", "q"));
        // another process wrote the consumer position: far past the producer's (48), or just past it
        for (long consumer : new long[]{1L << 40, 48 + 16}) {
            dev.mapsync.testkit.Peer.putLong(dir.resolve("q"), dev.mapsync.testkit.Peer.CONTROL + 33280, consumer);
            String says = "mapsync: ring 'q' is corrupt: its consumer position " + consumer + " is past its producer"
                    + " position 48\n";
            // take --follow once spun for ever here, and stat said "used -48 bytes"
            Cli follow = java.util.concurrent.CompletableFuture.supplyAsync(() -> ms("queue", "take", "q", "--follow"))
                    .get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(3, follow.code(), follow.err());
            assertEquals(says, follow.err());
            Cli stat = ms("queue", "stat", "q");
            assertEquals(3, stat.code(), stat.err());
            assertEquals(says, stat.err());
        }
    }

    @Test
    void recordsOfAnyLengthGoInAndComeOutInOrder() {
        Cli created = ms("queue", "create", "events", "--capacity", "4K");
        ok(created);
        assertEquals("created queue events: 4096 bytes of records of any length (shm backend, " + dir.resolve("events")
                + ", mode 0600)\n", created.out());
        ok(ms("queue", "put", "events", "hello", "second record"));
        assertEquals("queue      events\nbackend    shm\nrecords    of any length\ncapacity   4096 bytes\nused       40 bytes\n"
                + "positions  producer 40, consumer 0\nconsumer   none\nlost       0 records (0 bytes) whose producer died"
                + " before committing\nsealed     no\n", ms("queue", "stat", "events").out());
        assertEquals("{\"name\":\"events\",\"backend\":\"shm\",\"value_schema\":null,\"capacity_bytes\":4096,"
                + "\"capacity_values\":null,\"used_bytes\":40,\"used_values\":null,\"producer_position\":40,\"consumer_position\":0,\"consumer_pid\":null,\"lost_records\":0,"
                + "\"lost_bytes\":0,\"sealed\":false}\n", ms("queue", "stat", "events", "--json").out());
        assertEquals("hello\n", ms("queue", "take", "events").out());
        assertEquals("{\"position\":16,\"length\":13,\"text\":\"second record\"}\n", ms("queue", "take", "events", "--json").out());
        ok(ms("queue", "put", "events", "--hex", "00ff"));
        assertEquals("hex:00ff\n", ms("queue", "take", "events").out());
        Cli none = ms("queue", "take", "events", "--timeout", "100ms");
        assertEquals(124, none.code());
        assertEquals("", none.out());
        assertEquals("mapsync: took 0 of 1 records from queue 'events': no more came within 100 ms\n", none.err());
    }

    /** A zero timeout takes what is in the queue without waiting for more. */
    @Test
    void aTakeWithAZeroTimeoutTakesTheRecordsThatAreThere() {
        ok(ms("queue", "create", "events", "--capacity", "4K"));
        ok(ms("queue", "put", "events", "one", "two"));
        Cli both = ms("queue", "take", "events", "--count", "3", "--timeout", "0");
        assertEquals("one\ntwo\n", both.out());
        assertEquals(124, both.code());
        assertEquals("mapsync: took 2 of 3 records from queue 'events': no more came within 0 ms\n", both.err());
    }

    @Test
    void aRecordThatCouldNotBeWrittenOutStaysInTheQueue() {
        ok(ms("queue", "create", "events", "--capacity", "4K"));
        ok(ms("queue", "put", "events", "first", "second", "third"));
        // the reader of the output goes away after one line, as 'head -1' does: the next write fails
        StringWriter err = new StringWriter();
        LinesThenClosed out = new LinesThenClosed(1);
        String[] args = {"queue", "take", "--dir=" + dir, "events", "--count", "3"};
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), args).execute(args);
        assertEquals(0, code, err.toString());
        assertEquals("", err.toString());
        assertEquals("first\n", out.written());
        assertEquals("second\nthird\n", ms("queue", "take", "events", "--count", "2").out());
    }

    @Test
    void aTakeWhoseOutputTakesNoBytesFailsSayingWhyAndLeavesTheRecords() throws Exception {
        takeOfTwoLeavesThem(ProcessBuilder.Redirect.to(new File("/dev/full")), p -> { },
                "mapsync: cannot write the output: No space left on device\n", 5);
    }

    @Test
    void aTakeWhoseReaderWentAwayStopsQuietlyAndLeavesTheRecords() throws Exception {
        // closed before the command's JVM has started: its first write finds no reader
        takeOfTwoLeavesThem(ProcessBuilder.Redirect.PIPE, p -> p.getInputStream().close(), "", 0);
    }

    @Test
    void aTakeWhoseFifosReaderWentAwayStopsQuietlyAndLeavesTheRecords() throws Exception {
        Path fifo = dir.resolve("out.fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        // the reader opens the named pipe (waiting for the writer) and leaves before the command's JVM has started
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                new java.io.FileInputStream(fifo.toFile()).close();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        takeOfTwoLeavesThem(ProcessBuilder.Redirect.to(fifo.toFile()), p -> reader.join(), "", 0);
    }

    /** What a test does with the process of a take once it has started. */
    private interface Meanwhile {
        void with(Process take) throws Exception;
    }

    /**
     * Puts two records in a new queue, takes both in a process of its own whose output goes to {@code stdout}, and
     * checks its stderr and exit code, and that both records are still in the queue.
     */
    private void takeOfTwoLeavesThem(ProcessBuilder.Redirect stdout, Meanwhile meanwhile, String err, int exit)
            throws Exception {
        ok(ms("queue", "create", "events", "--capacity", "4K"));
        ok(ms("queue", "put", "events", "first", "second"));
        Process p = Jvm.main(Main.class).args("queue", "take", "--dir=" + dir, "events", "--count", "2").stdout(stdout)
                .start().process();
        meanwhile.with(p);
        String said = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(err, said);
        assertEquals(exit, p.exitValue());
        assertEquals("first\nsecond\n", ms("queue", "take", "events", "--count", "2").out());
    }

    /** --follow stops after --count records, or at --timeout: exit 124 if fewer than --count (default 1) came. */
    @Test
    void aFollowEndsAfterItsCountOrAtItsTimeout() throws Exception {
        ok(ms("queue", "create", "events", "--capacity", "4K"));
        ok(ms("queue", "put", "events", "first", "second", "third"));
        Cli two = follow("queue", "take", "events", "--follow", "--count", "2");
        assertEquals(0, two.code(), two.err());
        assertEquals("first\nsecond\n", two.out());

        Cli timed = follow("queue", "take", "events", "--follow", "--timeout", "200ms");
        assertEquals(0, timed.code(), timed.err());
        assertEquals("third\n", timed.out());
        assertEquals("", timed.err());

        Cli none = follow("queue", "take", "events", "--follow", "--timeout", "200ms");
        assertEquals(124, none.code());
        assertEquals("", none.out());
        assertEquals("mapsync: took no record from queue 'events': none came within 200 ms\n", none.err());

        ok(ms("queue", "put", "events", "fourth"));
        Cli fewer = follow("queue", "take", "events", "--follow", "--count", "2", "--timeout", "200ms");
        assertEquals(124, fewer.code());
        assertEquals("fourth\n", fewer.out());
        assertEquals("mapsync: took 1 of 2 records from queue 'events': no more came within 200 ms\n", fewer.err());
    }

    /** The same of a kernel ring. */
    @Test
    void aFollowOfAKernelRingEndsAfterItsCountOrAtItsTimeout() throws Exception {
        Machine.requireBpf();
        String name = KernelAssumptions.uniqueName("clicount");
        Path pin = pins.track(Bpffs.defaultPin(name));
        ok(ms("queue", "create", "bpf:" + name, "--capacity", "4K"));
        try (RingEmitter emitter = RingEmitter.load(pin)) {
            assertEquals(0, emitter.emit(2, RingEmitter.KIND_RECORD, 5));
            assertEquals(0, emitter.emit(2, RingEmitter.KIND_RECORD, 7));
        }
        Cli one = follow("queue", "take", "bpf:" + name, "--follow", "--count", "1");
        assertEquals(0, one.code(), one.err());
        assertEquals("hex:02000000000000000500000000000000\n", one.out());
        Cli timed = follow("queue", "take", "bpf:" + name, "--follow", "--timeout", "200ms");
        assertEquals(0, timed.code(), timed.err());
        assertEquals("hex:02000000000000000700000000000000\n", timed.out());
        Cli none = follow("queue", "take", "bpf:" + name, "--follow", "--timeout", "200ms");
        assertEquals(124, none.code());
        assertEquals("mapsync: took no record from queue '" + name + "': none came within 200 ms\n", none.err());
    }

    /** Runs a take that is to end by itself, failing the test instead of waiting on if it does not. */
    private Cli follow(String... args) throws Exception {
        return CompletableFuture.supplyAsync(() -> ms(args)).get(10, TimeUnit.SECONDS);
    }

    /** A text record that starts with "hex:" is printed in hex: it would read as the bytes its text spells. */
    @Test
    void aTextRecordThatStartsWithHexIsPrintedInHex() {
        ok(ms("queue", "create", "events", "--capacity", "4K"));
        ok(ms("queue", "put", "events", "hex:00ff"));
        ok(ms("queue", "put", "events", "--hex", "00ff"));
        assertEquals("hex:6865783a30306666\nhex:00ff\n", ms("queue", "take", "events", "--count", "2").ok().out());
    }

    /** Lines of standard input are records of their bytes exactly: split at \\n only, bytes that are not UTF-8 kept. */
    @Test
    void linesOfStandardInputAreStoredAsTheirBytes() throws Exception {
        ok(ms("queue", "create", "events", "--capacity", "4K"));
        byte[] input = {'c', 'a', 'f', (byte) 0xe9, '\n', 'a', '\r', 'b', '\n', '\n', 'l', 'a', 's', 't'};
        Cli put = putFromStandardInput(input, "events");
        assertEquals(0, put.code(), put.err());
        assertEquals("hex:636166e9\nhex:610d62\n\nlast\n", ms("queue", "take", "events", "--count", "4").ok().out());
    }

    /** A queue of values reads each line as text: bytes that are not UTF-8 are a usage error naming the line. */
    @Test
    void aLineThatIsNotUtf8IsAUsageErrorForAQueueOfValues() throws Exception {
        ok(ms("queue", "create", "jobs", "--values", "4", "--value", "s:char[8]"));
        Cli put = putFromStandardInput(new byte[]{'s', '=', 'o', 'k', '\n', 's', '=', (byte) 0xe9, '\n'}, "jobs");
        assertEquals(1, put.code(), put.err());
        assertEquals("mapsync: line 2 of standard input (1 records put before it): its bytes are not UTF-8\n",
                put.err());
        Cli take = ms("queue", "take", "jobs", "--count", "2", "--timeout", "0s");
        assertEquals("s=ok\n", take.out());
        assertEquals(124, take.code());
    }

    /** A queue of values reads lines of text: one that ends in \r\n (a file from Windows) is the text before them. */
    @Test
    void aValueLineThatEndsInCarriageReturnAndNewlineIsTheTextBefore() throws Exception {
        ok(ms("queue", "create", "jobs", "--values", "4", "--value", "s:char[8]"));
        Cli put = putFromStandardInput("s=one\r\ns=two\r\n".getBytes(StandardCharsets.US_ASCII), "jobs");
        assertEquals(0, put.code(), put.err());
        assertEquals("s=one\ns=two\n", ms("queue", "take", "jobs", "--count", "2").ok().out());
    }

    /** A line longer than the queue's largest record is refused once it is that long: it is not read whole first. */
    @Test
    void aLineLongerThanTheLargestRecordIsAUsageErrorNamingIt() throws Exception {
        ok(ms("queue", "create", "events", "--capacity", "4K"));
        byte[] input = ("first\n" + "x".repeat(1 << 20) + "\nlast\n").getBytes(StandardCharsets.US_ASCII);
        Cli put = putFromStandardInput(input, "events");
        assertEquals(1, put.code(), put.err());
        assertTrue(put.err().startsWith("mapsync: line 2 of standard input (1 records put before it): longer than"
                + " the largest record of queue 'events', "), put.err());
        Cli take = ms("queue", "take", "events", "--count", "2", "--timeout", "0s");
        assertEquals("first\n", take.out());
    }

    /** Runs {@code mapsync queue put QUEUE} in a JVM of its own with {@code input} as its standard input. */
    private Cli putFromStandardInput(byte[] input, String queue) throws Exception {
        Process p = Jvm.main(Main.class).args("queue", "put", "--dir=" + dir, queue).start().process();
        try (var in = p.getOutputStream()) {
            in.write(input);
        } catch (IOException stoppedReading) {
            // a command that refuses a line ends before it has read the rest
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new Cli(p.exitValue(), out, err);
    }

    /** A follower whose reader went away while no record came ends quietly and leaves the queue to the next taker. */
    @Test
    void aFollowWhoseReaderWentAwayWhileIdleEndsAndLetsTheNextTakerIn() throws Exception {
        ok(ms("queue", "create", "events", "--capacity", "4K"));
        Cli follow = Cli.withReaderGone(dir, "queue", "take", "events", "--follow");
        assertEquals(0, follow.code(), follow.err());
        assertEquals("", follow.err());
        ok(ms("queue", "put", "events", "next"));
        assertEquals("next\n", ms("queue", "take", "events").out());
    }

    /** The same of a kernel ring, which is taken by a thread of its own and printed from memory. */
    @Test
    void aFollowOfAKernelRingWhoseReaderWentAwayWhileIdleEndsAndLetsTheNextTakerIn() throws Exception {
        Machine.requireBpf();
        String name = KernelAssumptions.uniqueName("clifollow");
        Path pin = pins.track(Bpffs.defaultPin(name));
        ok(ms("queue", "create", "bpf:" + name, "--capacity", "4K"));
        Cli follow = Cli.withReaderGone(dir, "queue", "take", "bpf:" + name, "--follow");
        assertEquals(0, follow.code(), follow.err());
        assertEquals("", follow.err());
        try (RingEmitter emitter = RingEmitter.load(pin)) {
            assertEquals(0, emitter.emit(2, RingEmitter.KIND_RECORD, 5));
        }
        assertEquals("hex:02000000000000000500000000000000\n", ms("queue", "take", "bpf:" + name).out());
    }

    @Test
    void aTakeIntoAFullPipeThatDoesNotWaitFailsSayingSo() throws Exception {
        ok(ms("queue", "create", "events", "--capacity", "1M"));
        int records = 20_000; // 20,000 lines of 16 bytes: more than a pipe holds (64 KiB)
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < records; i++) lines.append(String.format("record-%08d%n", i));
        Process put = Jvm.main(Main.class).args("queue", "put", "--dir=" + dir, "events").start().process();
        put.getOutputStream().write(lines.toString().getBytes(StandardCharsets.UTF_8));
        put.getOutputStream().close();
        assertTrue(put.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, put.exitValue());
        // a parent that made the pipe non-blocking and reads it only once the command has ended
        List<String> take = new ArrayList<>(List.of("python3", "-c", NON_BLOCKING_PIPE));
        take.addAll(Jvm.main(Main.class).args("queue", "take", "--dir=" + dir, "events", "--count",
                Integer.toString(records), "--timeout", "10s").command());
        Process p = new ProcessBuilder(take).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String[] said = out.split("\n", 3);
        assertEquals("exit 5", said[0], out);
        assertEquals("stderr mapsync: cannot write the output: Resource temporarily unavailable", said[1], out);
        long printed = Long.parseLong(said[2].strip().substring("lines ".length()));
        // every record not printed whole is still in the queue
        Cli rest = ms("queue", "take", "events", "--count", Long.toString(records - printed), "--timeout", "1s");
        assertEquals(0, rest.code(), rest.err());
        assertEquals(String.format("record-%08d%n", printed), rest.out().lines().findFirst().orElseThrow() + "\n");
    }

    /** Runs its arguments with a non-blocking pipe as stdout, read only at their end; prints exit, stderr, lines. */
    private static final String NON_BLOCKING_PIPE = """
            import os, subprocess, sys
            r, w = os.pipe()
            os.set_blocking(w, False)
            p = subprocess.Popen(sys.argv[1:], stdout=w, stderr=subprocess.PIPE)
            os.close(w)
            err = p.stderr.read().decode().strip()
            code = p.wait()
            out = b''
            while chunk := os.read(r, 65536):
                out += chunk
            print('exit', code)
            print('stderr', err)
            print('lines', out.count(b'\\n'))
            """;

    @Test
    void aRecordThatIsNotAValueOfTheQueueStaysInItAndIsTakenAsBytes() {
        ok(ms("queue", "create", "jobs", "--capacity", "4K", "--value", "id:i64"));
        // a peer's committed record of 3 bytes, "abc", where values take 8
        Path file = dir.resolve("jobs");
        long data = Header.SIZE + RingLayout.CONTROL_LENGTH;
        Peer.putInt(file, data + 8, 0x636261);
        Peer.putLong(file, data, 3);
        Peer.putLong(file, Peer.CONTROL + RingLayout.PRODUCER_POSITION, 16);
        ok(ms("queue", "put", "jobs", "id=7"));
        String says = "mapsync: queue 'jobs' is corrupt: a record of 3 bytes is not a value of id:i64; it stays in the"
                + " queue ('mapsync queue take --hex' takes it as bytes)\n";
        for (int i = 0; i < 2; i++) {
            Cli take = ms("queue", "take", "jobs");
            assertEquals(3, take.code(), take.err());
            assertEquals(says, take.err());
        }
        assertEquals("hex:616263\n", ms("queue", "take", "jobs", "--hex").out());
        assertEquals("id=7\n", ms("queue", "take", "jobs").out());
    }

    /** An output whose reader goes away after {@code lines} lines: every write after them fails. */
    private static final class LinesThenClosed extends Writer {
        private final StringBuilder written = new StringBuilder();
        private int lines;

        LinesThenClosed(int lines) {
            this.lines = lines;
        }

        @Override
        public void write(char[] buf, int off, int len) throws IOException {
            if (lines == 0) throw new IOException("Broken pipe");
            for (int i = off; i < off + len && lines > 0; i++) {
                written.append(buf[i]);
                if (buf[i] == '\n') lines--;
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        String written() {
            return written.toString();
        }
    }

    @Test
    void aQueueOfValuesParsesAndPrintsThemFieldByField() {
        ok(ms("queue", "create", "jobs", "--capacity", "4096", "--value", "id:i64,owner:char[8]"));
        ok(ms("queue", "put", "jobs", "id=7,owner=ada", "id=8"));
        assertEquals("id=7,owner=ada\nid=8,owner=\"\"\n", ms("queue", "take", "jobs", "--count", "2").out());
        ok(ms("queue", "put", "jobs", "id=9,owner=bob"));
        assertEquals("{\"position\":48,\"value\":{\"id\":9,\"owner\":\"bob\"}}\n", ms("queue", "take", "jobs", "--json").out());
        Cli bad = ms("queue", "put", "jobs", "id=x");
        assertEquals(1, bad.code());
        assertEquals("mapsync: field 'id': 'x' is not a number of type i64\n", bad.err());
        assertTrue(ms("queue", "stat", "jobs").out().contains("records    values of id:i64,owner:char[8] (16 bytes)\n"
                + "capacity   4096 bytes (170 values)\nused       0 bytes (0 values)\n"));
        assertEquals("NAME                     BACKEND TYPE     ENTRIES  VALUE\n"
                + "jobs                     shm     ring        4096  id:i64,owner:char[8]\n", Cli.run("list", "--dir=" + dir).out());
    }

    @Test
    void aQueueOfValuesIsSizedInValuesOrInBytesAndSaysBoth() {
        Cli made = ms("queue", "create", "jobs", "--values", "4096", "--value", "id:i64,priority:i32,owner:char[20]");
        ok(made);
        assertEquals("created queue jobs: 262144 bytes, room for 6553 values of id:i64,priority:i32,owner:char[20] (shm"
                + " backend, " + dir.resolve("jobs") + ", mode 0600)\n", made.out());
        ok(ms("queue", "put", "jobs", "id=1", "id=2", "id=3"));
        String stat = ms("queue", "stat", "jobs", "--json").out();
        assertTrue(stat.contains("\"capacity_bytes\":262144,\"capacity_values\":6553,\"used_bytes\":120,"
                + "\"used_values\":3,"), stat);
        assertTrue(ms("info", "jobs").out().contains("\ncapacity      262144 bytes (6553 values)\n"));
        Cli inBytes = ms("queue", "create", "small", "--capacity", "4K", "--value", "id:i64");
        assertEquals("created queue small: 4096 bytes, room for 256 values of id:i64 (shm backend, "
                + dir.resolve("small") + ", mode 0600)\n", inBytes.out());

        Cli both = ms("queue", "create", "x", "--values", "8", "--capacity", "4K", "--value", "id:i64");
        assertEquals(1, both.code());
        assertEquals("mapsync: give the queue's size as --capacity SIZE (bytes of its ring) or, with --value, --values N"
                + " (values it holds)\n", both.err());
        Cli rawValues = ms("queue", "create", "x", "--values", "8");
        assertEquals(1, rawValues.code());
        assertEquals("mapsync: --values counts values of a schema: give --value SCHEMA too, or size a queue of records"
                + " of any length in bytes with --capacity\n", rawValues.err());
        Cli tooWide = ms("queue", "create", "x", "--capacity", "4K", "--value", "char[5000]");
        assertEquals(1, tooWide.code());
        assertEquals("mapsync: a value of char[5000] is 5000 bytes; a ring of 4096 bytes holds records of at most 4088\n",
                tooWide.err());
        Cli none = ms("queue", "create", "x", "--values", "0", "--value", "id:i64");
        assertEquals(1, none.code());
        assertEquals("mapsync: queue 'x': 0 values of id:i64 (16 bytes each in the ring) is no capacity; a queue holds 1"
                + " value at least\n", none.err());
    }

    @Test
    void aFullQueueASealedQueueAndATooLargeRecordHaveTheirExitCodes() {
        ok(ms("queue", "create", "q", "--capacity", "4K"));
        ok(ms("queue", "put", "q", "x".repeat(4088)));
        Cli full = ms("queue", "put", "q", "y", "--timeout", "50ms");
        assertEquals(124, full.code());
        assertEquals("mapsync: timed out after 50 ms waiting for room for a record of 1 bytes in ring 'q': 4096 of 4096"
                + " bytes are not consumed yet\n", full.err());
        Cli large = ms("queue", "put", "q", "z".repeat(4089));
        assertEquals(1, large.code());
        assertEquals("mapsync: a record of 4089 bytes does not fit ring 'q' of 4096 bytes: a record takes its length plus"
                + " an 8-byte header, so it holds at most 4088 bytes\n", large.err());
        assertEquals(4088, ms("queue", "take", "q").out().strip().length());
        ok(ms("queue", "put", "q", "a", "b"));
        ok(ms("queue", "seal", "q"));
        Cli sealed = ms("queue", "put", "q", "c");
        assertEquals(5, sealed.code());
        assertEquals("mapsync: ring 'q' is sealed: it takes no more records\n", sealed.err());
        Cli follow = ms("queue", "take", "q", "--follow");
        ok(follow);
        assertEquals("a\nb\n", follow.out(), "--follow ends when the sealed queue is drained");
        Cli drained = ms("queue", "take", "q");
        assertEquals(124, drained.code());
        assertEquals("mapsync: took 0 of 1 records from queue 'q': it is sealed and drained\n", drained.err());
    }

    @Test
    void aBarrierTripsBreaksAndResets() {
        Cli created = ms("barrier", "create", "one", "--parties", "1");
        ok(created);
        assertEquals("created barrier one: 1 parties (" + dir.resolve("one") + ", mode 0600)\n", created.out());
        assertEquals("0\n", ms("barrier", "await", "one").out());
        assertEquals("1\n", ms("barrier", "await", "one").out());
        ok(ms("barrier", "create", "two", "--parties", "2"));
        Cli alone = ms("barrier", "await", "two", "--timeout", "100ms");
        assertEquals(124, alone.code());
        assertEquals("mapsync: timed out after 100 ms at barrier 'two', generation 0: 1 of 2 parties had arrived; the"
                + " barrier is now broken for the others\n", alone.err());
        String reason = "barrier 'two' is broken: party pid " + ProcessHandle.current().pid() + " timed out while 1 of 2"
                + " parties waited at generation 0; reset it to use it again";
        Cli broken = ms("barrier", "await", "two");
        assertEquals(5, broken.code());
        assertEquals("mapsync: " + reason + "\n", broken.err());
        assertEquals("barrier    two\nparties    2\ngeneration 0\narrived    1 waiting\nbroken     " + reason
                + "\nseated     none\n", ms("barrier", "stat", "two").out());
        ok(ms("barrier", "reset", "two"));
        assertEquals("{\"name\":\"two\",\"parties\":2,\"generation\":1,\"arrived\":0,\"broken\":false,\"broken_reason\":null,"
                + "\"seated\":[]}\n", ms("barrier", "stat", "two", "--json").out());
        Cli missing = ms("barrier", "await", "nope");
        assertEquals(2, missing.code());
        Cli list = Cli.run("list", "--dir=" + dir);
        assertEquals("NAME                     BACKEND TYPE     ENTRIES  VALUE\n"
                + "one                      shm     barrier         1  (parties)\n"
                + "two                      shm     barrier         2  (parties)\n", list.out());
    }

    @Test
    void aKernelRingIsReadFromTheCommandLine() {
        Machine.requireBpf();
        String name = KernelAssumptions.uniqueName("clirb");
        Path pin = pins.track(Bpffs.defaultPin(name));
        Cli created = ms("queue", "create", "bpf:" + name, "--capacity", "4K");
        ok(created);
        assertEquals("created queue bpf:" + name + ": 4096 bytes of records of any length (bpf backend, "
                + dir.resolve(name) + ", mode 0600)\n", created.out());
        try (RingEmitter emitter = RingEmitter.load(pin)) {
            assertEquals(0, emitter.emit(2, RingEmitter.KIND_RECORD, 5));
            assertEquals(0, emitter.emit(2, RingEmitter.KIND_DISCARD, 6));
            assertEquals(0, emitter.emit(2, RingEmitter.KIND_RECORD, 7));
        }
        assertTrue(ms("queue", "stat", "bpf:" + name).out().startsWith("queue      " + name + "\nbackend    bpf\n"));
        assertEquals("hex:02000000000000000500000000000000\nhex:02000000000000000700000000000000\n",
                ms("queue", "take", "bpf:" + name, "--count", "2").out());
        Cli producer = ms("queue", "put", "bpf:" + name, "x");
        assertEquals(4, producer.code());
        ok(Cli.run("rm", "--dir=" + dir, "bpf:" + name));
        assertTrue(!Files.exists(pin));
    }
}
