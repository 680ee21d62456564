package dev.mapsync.cli;

import dev.mapsync.Codec;
import dev.mapsync.CorruptMapException;
import dev.mapsync.InvalidValueException;
import dev.mapsync.Schema;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The line {@code mapsync queue take} prints for a record: a queue's value as {@code mapsync get} prints it, or a
 * record's UTF-8 text, or {@code hex:...} for binary records (always with {@code --hex}, a queue's values too); with
 * {@code --json} one object with the record's position. Thread-safe (it keeps no state beyond its settings).
 */
final class RecordLines {
    private final String queue;
    private final Codec<Object> codec;
    private final boolean json;
    private final boolean hex;

    /** @param schema the queue's value schema, or null for records of any length (ignored with {@code hex}) */
    RecordLines(String queue, Schema schema, boolean json, boolean hex) {
        this.queue = queue;
        this.codec = schema == null || hex ? null : Codec.of(schema); // --hex: any record as its bytes
        this.json = json;
        this.hex = hex;
    }

    /**
     * The line for the record at {@code position}.
     *
     * @throws CorruptMapException if a queue's record is not a value of its schema
     */
    String line(long position, MemorySegment payload) {
        if (codec != null) {
            if (payload.byteSize() != codec.size()) {
                throw new CorruptMapException("queue '" + queue + "' is corrupt: a record of " + payload.byteSize()
                        + " bytes is not a value of " + codec.schema());
            }
            Object value;
            try {
                value = codec.read(payload, 0);
            } catch (InvalidValueException e) {
                throw new CorruptMapException("queue '" + queue + "' is corrupt: the record at position " + position
                        + " is not a value of its schema (" + e.getMessage() + ")", e);
            }
            if (!json) return ValueText.format(codec.schema(), value);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("position", position);
            m.put("value", ValueText.jsonValue(codec.schema(), value));
            return Json.of(m);
        }
        byte[] bytes = payload.toArray(ValueLayout.JAVA_BYTE);
        String text = hex ? null : utf8(bytes);
        // a text that starts with "hex:" would read as the bytes it spells: it is printed in hex too
        if (!json) return text != null && !text.startsWith("hex:") ? text : "hex:" + HexFormat.of().formatHex(bytes);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("position", position);
        m.put("length", bytes.length);
        if (text != null) m.put("text", text);
        else m.put("hex", HexFormat.of().formatHex(bytes));
        return Json.of(m);
    }

    /** Records {@link #warmUp} formats, at most, and for how long. */
    private static final int WARM_UP_RECORDS = 20_000;
    private static final long WARM_UP_NANOS = 500_000_000L;

    /**
     * Formats records of zeros and counters, and writes the lines nowhere through the same writer classes the command
     * prints with, so that the JIT compiles the printing code before a kernel ring's records come: a printer still in
     * the interpreter takes the core that the thread emptying the ring needs. Stops early on a value the schema
     * refuses (zeros are not a value of every schema): what ran until then is compiled all the same.
     */
    void warmUp() {
        PrintWriter nowhere = StandardOutput.printer(OutputStream.nullOutputStream());
        MemorySegment record = MemorySegment.ofArray(new long[codec == null ? 2 : (int) (codec.size() + 7) / 8])
                .asSlice(0, codec == null ? 16 : codec.size());
        long deadline = System.nanoTime() + WARM_UP_NANOS;
        try {
            for (int i = 0; i < WARM_UP_RECORDS && System.nanoTime() - deadline < 0; i++) {
                if (record.byteSize() >= 8) record.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, i);
                nowhere.write(line(24L * i, record));
                nowhere.write('\n');
            }
        } catch (CorruptMapException e) {
            // the schema has values that zeros are not; the records before were formatted
        }
        nowhere.flush();
    }

    /**
     * The bytes as text, or null when they are not valid UTF-8 or hold control characters or line separators other
     * than a tab (binary data, or text that would not stay on its line).
     */
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
            if (c != '\t' && ValueText.isControl(c)) return null;
        }
        return text;
    }
}
