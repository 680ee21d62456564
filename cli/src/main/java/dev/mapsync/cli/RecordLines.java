package dev.mapsync.cli;

import dev.mapsync.Codec;
import dev.mapsync.CorruptMapException;
import dev.mapsync.InvalidValueException;
import dev.mapsync.Schema;

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
 * record's UTF-8 text, or {@code hex:...} for binary records (always with {@code --hex}); with {@code --json} one
 * object with the record's position. Thread-safe (it keeps no state beyond its settings).
 */
final class RecordLines {
    private final String queue;
    private final Codec<Object> codec;
    private final boolean json;
    private final boolean hex;

    /** @param schema the queue's value schema, or null for records of any length */
    RecordLines(String queue, Schema schema, boolean json, boolean hex) {
        this.queue = queue;
        this.codec = schema == null ? null : Codec.of(schema);
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
        if (!json) return text != null ? text : "hex:" + HexFormat.of().formatHex(bytes);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("position", position);
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
