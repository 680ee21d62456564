package dev.mapsync.cli;

import dev.mapsync.Codec;
import dev.mapsync.CorruptMapException;
import dev.mapsync.InvalidValueException;
import dev.mapsync.RingConsumer;
import dev.mapsync.RingRecord;
import dev.mapsync.Schema;
import dev.mapsync.SharedRing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "take", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Take records from a queue as its one consumer, in order, and print one per line: a value as",
                "'mapsync get' prints it, or a record's UTF-8 text (hex:... for binary records, or always with --hex).",
                "Exits 124 when fewer than --count records came within --timeout. With --follow it prints records as",
                "they come until the queue is sealed and drained (or it is interrupted). Records whose producer died",
                "before committing them are skipped; discarded ones too."},
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

    @Option(names = {"-f", "--follow"}, description = "Stream records until the queue is sealed and drained.")
    boolean follow;

    @Option(names = "--json", description = "One JSON object a line: position, and value, or length and text (or hex).")
    boolean json;

    @Option(names = "--hex", description = "Print records of any length as hex.")
    boolean hex;

    @Override
    public String mapArgument() {
        return queue;
    }

    @Override
    public Integer call() {
        if (count < 1) throw new IllegalArgumentException("--count must be at least 1, not " + count);
        try (SharedRing ring = SharedRing.open(existing());
             RingConsumer consumer = ring.consumer()) {
            Schema schema = ring.valueSchema().orElse(null);
            Codec<Object> codec = schema == null ? null : Codec.of(schema);
            long deadline = System.nanoTime() + timeout.toNanos();
            int taken = 0;
            while (follow || taken < count) {
                long left = follow ? Duration.ofSeconds(1).toNanos() : deadline - System.nanoTime();
                RingRecord r = left <= 0 ? null : consumer.next(Duration.ofNanos(left));
                if (r == null) {
                    if (consumer.isDrained() || !follow) break;
                    continue;
                }
                try {
                    out().println(line(codec, r));
                } finally {
                    r.release();
                }
                out().flush();
                if (out().checkError()) break; // the reader went away (e.g. head)
                taken++;
            }
            if (!follow && taken < count) {
                spec.commandLine().getErr().println("mapsync: took " + taken + " of " + count + " records from queue '"
                        + ring.name() + "': " + (consumer.isDrained() ? "it is sealed and drained"
                        : "no more came within " + DurationText.of(timeout)));
                return ExitCodes.TIMED_OUT;
            }
            return ExitCodes.OK;
        }
    }

    private String line(Codec<Object> codec, RingRecord r) {
        if (codec != null) {
            if (r.length() != codec.size()) {
                throw new CorruptMapException("queue '" + queue + "' is corrupt: a record of " + r.length()
                        + " bytes is not a value of " + codec.schema());
            }
            Object value;
            try {
                value = codec.read(r.payload(), 0);
            } catch (InvalidValueException e) {
                throw new CorruptMapException("queue '" + queue + "' is corrupt: the record at position " + r.position()
                        + " is not a value of its schema (" + e.getMessage() + ")", e);
            }
            if (!json) return ValueText.format(codec.schema(), value);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("position", r.position());
            m.put("value", ValueText.jsonValue(codec.schema(), value));
            return Json.of(m);
        }
        byte[] bytes = r.payload().toArray(ValueLayout.JAVA_BYTE);
        String text = hex ? null : utf8(bytes);
        if (!json) return text != null ? text : "hex:" + HexFormat.of().formatHex(bytes);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("position", r.position());
        m.put("length", bytes.length);
        if (text != null) m.put("text", text);
        else m.put("hex", HexFormat.of().formatHex(bytes));
        return Json.of(m);
    }

    /** The bytes as text, or null when they are not valid UTF-8 or hold control characters (binary data). */
    private static String utf8(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) return null;
        }
        return text;
    }
}
