package dev.mapsync.internal.codec;

import dev.mapsync.internal.sys.Layouts;
import dev.mapsync.Codec;
import dev.mapsync.InvalidValueException;
import dev.mapsync.Schema;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * {@code char[N]}: a UTF-8 string of at most N bytes. Shorter strings are padded with NUL bytes; a string of
 * exactly N bytes has no terminator (read it in C with a length limit). A string that does not fit, or that
 * holds a NUL character (it would read back shorter), is refused before anything is written.
 */
public final class FixedStringCodec implements Codec<String> {
    private final Schema schema;
    private final int length;

    public FixedStringCodec(int length) {
        this.schema = Schema.chars(length);
        this.length = length;
    }

    @Override
    public Schema schema() {
        return schema;
    }

    @Override
    public String read(MemorySegment segment, long offset) {
        int n = 0;
        while (n < length && segment.get(Layouts.BYTE, offset + n) != 0) n++;
        byte[] bytes = new byte[n];
        MemorySegment.copy(segment, Layouts.BYTE, offset, bytes, 0, n);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidValueException(schema + " field holds bytes that are not UTF-8", e);
        }
    }

    @Override
    public void write(MemorySegment segment, long offset, String value) {
        byte[] bytes = encode(value);
        MemorySegment.copy(bytes, 0, segment, Layouts.BYTE, offset, bytes.length);
        segment.asSlice(offset + bytes.length, length - bytes.length).fill((byte) 0);
    }

    /** The UTF-8 bytes of {@code value}, checked to fit. */
    byte[] encode(String value) {
        if (value.indexOf('\0') >= 0) {
            throw new InvalidValueException("string holds a NUL character, which " + schema + " cannot store");
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > length) {
            throw new InvalidValueException("string of " + bytes.length + " bytes does not fit in " + schema
                    + " (\"" + abbreviate(value) + "\")");
        }
        return bytes;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
