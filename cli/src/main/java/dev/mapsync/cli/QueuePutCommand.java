package dev.mapsync.cli;

import dev.mapsync.MapLocation;
import dev.mapsync.Codec;
import dev.mapsync.InvalidValueException;
import dev.mapsync.Schema;
import dev.mapsync.SharedRing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

@Command(name = "put", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Add records to a queue, in order. Each VALUE is one record: for a queue of values, a value as",
                "'mapsync set' takes it (fields not named are 0); for records of any length, its UTF-8 text (or bytes in",
                "hex with --hex). Without VALUEs, each line of standard input is one record: its bytes up to a newline,",
                "or its UTF-8 text (ending at \\r\\n or \\n) for a queue of values or with --hex.",
                "Exits 124 when the queue stays full for --timeout."},
        footer = {"", "Examples:", "  mapsync queue put events hello 'second record'",
                "  mapsync queue put jobs id=7,owner=ada id=8,owner=bob", "  tail -f app.log | mapsync queue put events"})
final class QueuePutCommand extends QueueSubcommand implements Runnable {
    @Parameters(index = "0", paramLabel = "QUEUE")
    String queue;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "VALUE")
    List<String> values;

    @Option(names = "--timeout", defaultValue = "5s", paramLabel = "T", converter = DurationConverter.class,
            description = "How long to wait for room in a full queue, per record (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    MapLocation existing() {
        return MapCommand.within(super.existing(), timeout);
    }

    @Option(names = "--hex", description = "VALUEs (or lines) are bytes in hex, for records of any length.")
    boolean hex;

    @Override
    public String mapArgument() {
        return queue;
    }

    // producers claim records under the ring's reserve lock, which only a shared sidecar holds for all of them
    @Override
    boolean controlRegionNeeded() {
        return true;
    }

    @Override
    public void run() {
        try (SharedRing ring = SharedRing.open(existing())) {
            Schema schema = ring.valueSchema().orElse(null);
            if (schema != null && hex) throw new IllegalArgumentException("--hex is for records of any length; queue '"
                    + ring.name() + "' holds values of " + schema);
            Codec<Object> codec = schema == null ? null : Codec.of(schema);
            Object zero = codec == null ? null : codec.read(MemorySegment.ofArray(new byte[schema.size()]), 0);
            if (values != null && !values.isEmpty()) {
                // all are checked before the first is put: a bad third value leaves no first two in the queue
                List<byte[]> records = values.stream().map(v -> record(codec, zero, v)).toList();
                for (byte[] r : records) ring.put(r, timeout);
                return;
            }
            // a line longer than any record is refused at that length, not read whole first; a value's text may be
            // longer than its bytes, but not by much
            int longest = codec == null && !hex ? ring.maxRecordLength() : Math.max(ring.maxRecordLength(), 1 << 20);
            try (InputStream in = new BufferedInputStream(System.in)) {
                long n = 0;
                for (byte[] line = line(in, longest); line != null; line = line(in, longest)) {
                    n++;
                    if (line.length > longest) {
                        throw new IllegalArgumentException(where(n) + "longer than the largest record of queue '"
                                + ring.name() + "', " + ring.maxRecordLength() + " bytes");
                    }
                    ring.put(record(codec, zero, line, n), timeout);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * The next line of {@code in}: its bytes up to a \\n, without it (a \\r before it stays), or up to the end; at
     * most {@code longest + 1} of them, so that a longer one is told by its length.
     *
     * @return the line, or null at the end of the input
     */
    private static byte[] line(InputStream in, int longest) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n' && line.size() <= longest) line.write(b);
        return b < 0 && line.size() == 0 ? null : line.toByteArray();
    }

    /** How messages name line {@code n} of standard input. */
    private static String where(long n) {
        return "line " + n + " of standard input (" + (n - 1) + " records put before it): ";
    }

    /**
     * The record of line {@code n} of standard input: its bytes as they are for records of any length, else its
     * text, which must be UTF-8; a bad one is named, since the lines before it are in the queue.
     */
    private byte[] record(Codec<Object> codec, Object zero, byte[] line, long n) {
        String where = where(n);
        if (codec == null && !hex) return line;
        try {
            String text;
            try {
                // text ends at its line break, \r\n (a file from Windows) as \n
                int length = line.length > 0 && line[line.length - 1] == '\r' ? line.length - 1 : line.length;
                text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(line, 0, length)).toString();
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException("its bytes are not UTF-8", e);
            }
            return record(codec, zero, text);
        } catch (InvalidValueException e) {
            throw new InvalidValueException(where + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + e.getMessage(), e);
        }
    }

    private static byte[] hex(String text) {
        try {
            return HexFormat.of().parseHex(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not bytes in hex: " + e.getMessage(), e);
        }
    }

    private byte[] record(Codec<Object> codec, Object zero, String text) {
        if (codec == null) return hex ? hex(text) : text.getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[codec.size()];
        codec.write(MemorySegment.ofArray(bytes), 0, ValueText.parse(codec.schema(), text, zero));
        return bytes;
    }
}
