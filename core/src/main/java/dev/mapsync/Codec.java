package dev.mapsync;

import dev.mapsync.internal.codec.DynamicCodec;
import dev.mapsync.internal.codec.FixedStringCodec;
import dev.mapsync.internal.codec.RecordCodec;
import dev.mapsync.internal.codec.ScalarCodec;

import java.lang.foreign.MemorySegment;

/**
 * Reads and writes values of one {@link Schema} in shared memory, little-endian, with C's layout.
 *
 * <p>The factories cover every schema: scalars (signed and unsigned views), fixed-size UTF-8 strings, fixed-size
 * byte arrays, Java records of these (nested records and fixed-length primitive arrays included), and any
 * schema given as text, whose values are {@code Map<String, Object>} for structs. A spec takes the codec of its
 * values (and of a hash map's keys), and a handle reads and writes every value through it.
 *
 * <p><b>Threads.</b> The codecs of these factories are immutable and safe to share between threads and maps. A
 * handle calls its codec from every thread that uses the handle, at once: a codec of your own must be safe for that
 * too. {@link #read} and {@link #write} throw {@link InvalidValueException} for a value that does not fit the schema
 * or bytes that are no value of it; {@link #write} checks the value before it writes any byte.
 *
 * @param <T> the Java type of a value
 */
public interface Codec<T> {
    /** {@return the layout of a value; it is stored in the map's header} */
    Schema schema();

    /**
     * Reads the value at {@code offset}.
     *
     * @param segment the memory to read from
     * @param offset  the value's offset in {@code segment}
     * @return the value
     * @throws InvalidValueException if the bytes are not a value of this codec (such as invalid UTF-8)
     */
    T read(MemorySegment segment, long offset);

    /**
     * Writes {@code value} at {@code offset}. The value is checked before any byte is written. The codecs of these
     * factories write every byte of the value, a struct's padding as zeros: keys and values are compared by their
     * bytes, and the C layout asks for zero padding. A codec of your own should do the same; where it leaves bytes
     * alone, the handle zeroes the bytes it encodes into first (for a write in place, the map keeps the bytes it had).
     *
     * @param segment the memory to write to
     * @param offset  the value's offset in {@code segment}
     * @param value   the value
     * @throws InvalidValueException if the value does not fit its schema
     */
    void write(MemorySegment segment, long offset, T value);

    /** {@return the size of a value in bytes} */
    default int size() {
        return schema().size();
    }

    /** {@return the codec of signed 8-bit integers ({@code i8})} */
    static Codec<Byte> i8() {
        return ScalarCodec.I8;
    }

    /** {@return the codec of signed 16-bit integers ({@code i16})} */
    static Codec<Short> i16() {
        return ScalarCodec.I16;
    }

    /** {@return the codec of signed 32-bit integers ({@code i32})} */
    static Codec<Integer> i32() {
        return ScalarCodec.I32;
    }

    /** {@return the codec of signed 64-bit integers ({@code i64})} */
    static Codec<Long> i64() {
        return ScalarCodec.I64;
    }

    /** {@return the codec of unsigned 8-bit integers ({@code u8}), as {@code 0..255}} */
    static Codec<Integer> u8() {
        return ScalarCodec.U8;
    }

    /** {@return the codec of unsigned 16-bit integers ({@code u16}), as {@code 0..65535}} */
    static Codec<Integer> u16() {
        return ScalarCodec.U16;
    }

    /** {@return the codec of unsigned 32-bit integers ({@code u32}), as {@code 0..4294967295}} */
    static Codec<Long> u32() {
        return ScalarCodec.U32;
    }

    /**
     * {@return the codec of unsigned 64-bit integers ({@code u64})} Java has no unsigned long: the value keeps its 64
     * bits, so values above {@link Long#MAX_VALUE} read as negative; print them with
     * {@link Long#toUnsignedString(long)}.
     */
    static Codec<Long> u64() {
        return ScalarCodec.U64;
    }

    /** {@return the codec of 32-bit IEEE 754 floats ({@code f32})} */
    static Codec<Float> f32() {
        return ScalarCodec.F32;
    }

    /** {@return the codec of 64-bit IEEE 754 floats ({@code f64})} */
    static Codec<Double> f64() {
        return ScalarCodec.F64;
    }

    /** {@return the codec of booleans stored as one byte, 0 or 1 ({@code bool})} */
    static Codec<Boolean> bool() {
        return ScalarCodec.BOOL;
    }

    /**
     * {@code char[n]}: UTF-8 strings of at most {@code n} bytes, NUL-padded. Longer strings are refused.
     *
     * @param n the field size in bytes
     * @return the codec
     * @throws IllegalArgumentException if {@code n} is less than 1
     */
    static Codec<String> chars(int n) {
        return new FixedStringCodec(n);
    }

    /**
     * {@code u8[n]}: byte arrays of exactly {@code n} bytes.
     *
     * @param n the length in bytes
     * @return the codec
     * @throws IllegalArgumentException if {@code n} is less than 1
     */
    static Codec<byte[]> bytes(int n) {
        return DynamicCodec.bytes(n);
    }

    /**
     * A Java record laid out as the C struct of its components, in declaration order. Component types:
     * {@code byte short int long float double boolean} (mark integers {@link Unsigned} for u8..u64),
     * {@code String} with {@link Chars}, primitive arrays with {@link Size}, and nested records.
     *
     * <p>A record in a named module must be in a package that the module opens to mapsync, by a line of its
     * module-info.java such as {@code opens com.example.model to dev.mapsync;}.
     *
     * @param type the record class
     * @param <R>  the record type
     * @return the codec
     * @throws IllegalArgumentException naming the component that has no layout, or if the record's module does not
     *                                  open its package to mapsync (the message gives the line to add)
     */
    static <R extends Record> Codec<R> record(Class<R> type) {
        return RecordCodec.of(type);
    }

    /**
     * A codec for any schema: scalars read as their boxed Java type (u8 and u16 as Integer, u32 and u64 as Long),
     * {@code char[N]} as String, arrays as primitive arrays ({@code byte[]} for u8 and i8), and structs as an
     * ordered {@code Map<String, Object>} of their fields. Writing a struct needs every field.
     *
     * @param schema the layout of a value
     * @return the codec
     */
    static Codec<Object> of(Schema schema) {
        return DynamicCodec.of(schema);
    }

    /**
     * {@link #of(Schema)} of {@link Schema#parse parsed} text, such as {@code id:i64,owner:char[16]}.
     *
     * @param schema the schema's text form
     * @return the codec
     * @throws IllegalArgumentException if the text is not a schema (the message says where)
     */
    static Codec<Object> of(String schema) {
        return of(Schema.parse(schema));
    }
}
